"""Settings of the import/export/backup doors, read once from the environment (names in .env.example)."""
from __future__ import annotations

from dataclasses import dataclass

from services.common import config as env


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str
    cache_prefix: str
    chroma_path: str
    backup_dir: str
    # Largest file the REST door accepts in one request body (decoded); larger files go through the CLI.
    import_max_bytes: int
    # Chunked REST uploads: where pieces wait, and the largest assembled file.
    upload_dir: str
    upload_max_bytes: int

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(
            database_url=env.database_url(),
            redis_url=env.redis_url(),
            cache_prefix=env.cache_prefix(),
            chroma_path=env.chroma_path(),
            backup_dir=env.env_str("BACKUP_DIR", "var/backups"),
            import_max_bytes=env.env_int("IMPORT_MAX_BYTES", 768 * 1024),
            upload_dir=env.env_str("UPLOAD_DIR", "var/uploads"),
            upload_max_bytes=env.env_int("IMPORT_MAX_UPLOAD_BYTES", 200 * 1024 * 1024),
        )
