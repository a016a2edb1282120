"""The one registry of the settings kept in the database (the ``app_settings`` table).

The environment's ``PANTAU_*`` variables have their table in ``lib.core.config.VARIABLES``;
this is its counterpart for what an administrator sets on the Settings page (or with
``python -m lib.cli settings set``) and for Pantau's own bookkeeping kept beside it. Every
key read or written through ``lib.store.db.get_setting``/``set_setting`` is one of these
(a whole key, or a family: a prefix ending in ``:``); an unknown key is a bug and raises,
so a setting cannot be added without a line here saying what it is. The README's table of
stored settings is this tuple (``tests/test_layout.py`` checks it).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StoredSetting:
    key: str  # a whole key, or a family's prefix ending in ':'
    kind: str  # what the value is: text, number, url, hours, flag, list, day, json
    default: str  # in words, as the README shows it
    help: str
    editable: bool = True  # False: Pantau's own bookkeeping, never typed by a person

    @property
    def is_family(self) -> bool:
        return self.key.endswith(":")


STORED_SETTINGS: tuple[StoredSetting, ...] = (
    StoredSetting("public_base_url", "url", "(none)", "the address phones open from a poster's QR code (https://...)"),
    StoredSetting("retention_days", "number", "30", "days personal data is kept before the nightly purge (RULES \"Personal data\")"),
    StoredSetting("office_hours", "hours", "07:30-16:00", "the office day (`HH:MM-HH:MM`): attendance and the manager's day"),
    StoredSetting("alert_webhook_url", "url", "(none)", "where crowding and case alerts are posted (https://...)"),
    StoredSetting("backup_keep", "number", "7", "nightly backups kept beside the database"),
    StoredSetting("case_message:", "text", "a built-in message", "per grade (`case_message:K1`): the message a tracer sends a contact"),
    StoredSetting("expected_staff:", "number", "0", "per building (`expected_staff:<building>`): staff expected on a working day"),
    StoredSetting("wfo_limit:", "number", "(none)", "`wfo_limit:building:<id>` or `wfo_limit:unit:<unit>`: the share of staff allowed in the office"),
    StoredSetting("desk_purposes", "list", "a built-in list", "the visit purposes the front desk and the phone page offer"),
    StoredSetting("desk_purpose_required", "flag", "0", "`1`: a visitor must give a purpose"),
    StoredSetting("desk_host_webhook_url", "url", "(none)", "where a host's visitor arrival is posted, without NIK or phone (https://...)"),
    StoredSetting("province_publish_to", "url", "(none)", "where the site publishes each night for the province (a folder, a mounted share or s3://...; README \"Province\")"),
    StoredSetting("province_site", "text", "(none)", "this site's name in the province's lake (letters, digits, - and _)"),
    StoredSetting("import_mapping:", "json", "(none)", "per header list: the column mapping chosen for a file Pantau did not recognise", editable=False),
    StoredSetting("demo_mode", "flag", "(none)", "`1`: the database holds the demo month (demo accounts exist only then)", editable=False),
    StoredSetting("demo_positive_case", "text", "(none)", "the demo's positive case, for the tour", editable=False),
    StoredSetting("last_backup_day", "day", "(none)", "the local day of the last nightly backup", editable=False),
    StoredSetting("last_publish_day", "day", "(none)", "the local day of the last nightly publish", editable=False),
    StoredSetting("last_purge_day", "day", "(none)", "the local day of the last nightly purge", editable=False),
    StoredSetting("pending:", "flag", "(none)", "a data step a schema migration left for lib.ingest.upgrade", editable=False),
)


def registered(key: str) -> StoredSetting:
    """The registry's entry for ``key``; ``KeyError`` for a key nobody declared."""
    for setting in STORED_SETTINGS:
        if setting.is_family:
            if key.startswith(setting.key) and len(key) > len(setting.key):
                return setting
        elif key == setting.key:
            return setting
    raise KeyError(f"{key!r} is not a stored setting: add it to lib.store.app_settings.STORED_SETTINGS")
