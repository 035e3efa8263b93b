"""Settings: the only place that reads the environment (prefix ``HUB_``)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, IPvAnyNetwork, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from hub.audit.signing import parse_private_key

DEFAULT_SECRET = "change-me-in-production"  # noqa: S105 - refused outside development


class InsecureSettingsError(ValueError):
    """Raised when production settings would run the hub unsafely."""


class Settings(BaseSettings):
    """Everything the hub can be told, from ``HUB_*`` variables or a ``.env`` file."""

    model_config = SettingsConfigDict(env_prefix="HUB_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    # Relative to the folder the hub runs from (./var), never inside the installed package.
    database_url: str = "sqlite:///var/cae-hub.sqlite3"
    secret_key: SecretStr = SecretStr(DEFAULT_SECRET)
    allow_sqlite_in_production: bool = False
    schemas_dir: Path | None = Field(
        default=None,
        description="Dossier des schémas publiés à servir (par défaut : ceux livrés avec le "
        "paquet).",
    )
    schema_deprecation_days: int = Field(
        default=180,
        ge=0,
        description="Jours pendant lesquels la version majeure précédente d'un schéma reste "
        "acceptée après la publication de la suivante.",
    )
    demo_dir: Path | None = Field(
        default=None,
        description="Dossier des fichiers de la démo (par défaut : demo/ à côté de la base "
        "SQLite, sinon ./var/demo).",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = False
    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0)
    disclosure_min_contributors: int = Field(
        default=3, ge=1, description="Fréquence : nombre minimal de CAE contributrices."
    )
    disclosure_dominance_share: float = Field(
        default=0.85, gt=0, le=1, description="Dominance : part maximale d'une CAE (montants)."
    )
    disclosure_small_count_max: int = Field(
        default=2, ge=0, description="Petits effectifs : valeurs masquées de 1 à ce seuil."
    )
    disclosure_protection: float = Field(
        default=0.10,
        ge=0,
        lt=1,
        description="Incertitude minimale laissée sur une cellule masquée.",
    )
    disclosure_group_rare: bool = Field(
        default=True,
        description="Regrouper en « autres » les métiers et départements de moins de "
        "disclosure_min_contributors CAE, à la première publication d'une période.",
    )
    token_last_used_resolution_s: int = Field(
        default=60,
        ge=0,
        description="Précision de last_used_at, pour ne pas écrire à chaque requête.",
    )
    session_cookie_name: str = Field(
        default="cae_hub_session",
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        description="Nom du cookie de session du tableau de bord.",
    )
    session_max_age_s: int = Field(
        default=12 * 3600, ge=300, description="Durée maximale d'une session, en secondes."
    )
    session_idle_timeout_s: int = Field(
        default=2 * 3600, ge=60, description="Inactivité au-delà de laquelle la session expire."
    )
    session_cookie_secure: bool | None = Field(
        default=None,
        description="Cookie « Secure » : None = selon le schéma de la requête (HTTPS derrière "
        "le mandataire) ; True = toujours.",
    )
    login_max_failures: int = Field(
        default=5,
        ge=1,
        description="Essais de connexion infructueux tolérés par compte et par adresse IP.",
    )
    login_max_failures_per_account: int = Field(
        default=50,
        ge=1,
        description="Essais infructueux tolérés sur un compte, toutes adresses IP confondues.",
    )
    login_max_failures_per_client: int = Field(
        default=100,
        ge=1,
        description="Échecs de connexion tolérés par adresse IP, tous comptes confondus "
        "(large : un bureau ou une passerelle partage une adresse).",
    )
    login_failure_window_s: int = Field(
        default=15 * 60, ge=1, description="Fenêtre de comptage des échecs de connexion."
    )

    database_pool_size: int = Field(
        default=10, ge=1, description="PostgreSQL : connexions gardées ouvertes par processus."
    )
    database_max_overflow: int = Field(
        default=10, ge=0, description="PostgreSQL : connexions supplémentaires en pointe."
    )
    database_pool_timeout_s: float = Field(
        default=10, gt=0, description="Attente maximale d'une connexion libre (puis 503)."
    )
    admission_read_slots: int = Field(
        default=16, ge=1, description="Requêtes de lecture servies en même temps par processus."
    )
    admission_write_slots: int = Field(
        default=4,
        ge=1,
        description="Requêtes d'écriture servies en même temps (PostgreSQL ; SQLite : une).",
    )
    admission_prepare_slots: int = Field(
        default=4, ge=1, description="Rapports vérifiés (schéma, cohérence) en même temps."
    )
    admission_queue: int = Field(
        default=1000, ge=0, description="Requêtes en attente au plus, par file, avant un 503."
    )
    admission_wait_s: float = Field(
        default=30, gt=0, description="Attente maximale d'une place avant de répondre 503."
    )
    admission_retry_after_s: int = Field(
        default=5, ge=1, description="Délai « Retry-After » d'un 503 quand le hub est occupé."
    )
    max_report_bytes: int = Field(
        default=20 * 2**20, ge=1024, description="Taille maximale d'un rapport déposé."
    )
    max_body_bytes: int = Field(
        default=2**20, ge=1024, description="Taille maximale du corps des autres requêtes."
    )
    token_cache_ttl_s: float = Field(
        default=300,
        ge=0,
        description="Durée de mémorisation d'un jeton vérifié (0 : vérifier à chaque requête).",
    )
    token_cache_check_s: float = Field(
        default=2,
        ge=0,
        description="Intervalle de contrôle des révocations faites par d'autres processus.",
    )
    stats_cache_check_s: float = Field(
        default=1,
        ge=0,
        description="Intervalle de contrôle des nouvelles publications pour les tableaux publiés "
        "servis de mémoire (0 : à chaque requête).",
    )

    jobs_enabled: bool | None = Field(
        default=None,
        description="Lancer les tâches planifiées dans ce processus ; par défaut oui, sauf "
        "en environnement de test.",
    )
    job_schedules: dict[str, str] = Field(
        default_factory=dict,
        description="Planifications remplaçant celles du code, en JSON : "
        '{"purge-sessions": "17 3 * * *"} (cron à 5 champs, ou 6 avec les secondes en tête).',
    )
    temp_dir: Path = Field(
        default=Path("var") / "tmp",
        description="Dossier des fichiers temporaires et des exports du hub (./var/tmp par "
        "défaut), purgé par la tâche "
        "purge-temp-files.",
    )
    temp_retention_days: int = Field(
        default=7,
        ge=1,
        description="Âge (en jours) au-delà duquel un fichier temporaire est purgé.",
    )
    delegation_retention_days: int = Field(
        default=90,
        ge=1,
        le=3650,
        description=(
            "Délégation de paie : jours de conservation d'un contenu chiffré après son accusé "
            "de réception ; ensuite seules ses métadonnées et la piste d'audit restent."
        ),
    )
    reminder_after_close_days: int = Field(
        default=15,
        ge=0,
        description="Rappel aux CAE sans rapport : jours après la fin du semestre.",
    )
    reminder_before_publication_days: int = Field(
        default=7,
        ge=0,
        description="Second rappel : jours avant la date de publication prévue.",
    )
    publication_day_after_close: int = Field(
        default=75,
        ge=1,
        description="Date de publication prévue d'un semestre, en jours après sa fin (le hub "
        "ne conserve pas de date prévue par semestre).",
    )

    seat_reminder_days: int = Field(
        default=7,
        ge=0,
        description="Rappels de la mutualisation des places : jours avant la date limite "
        "d'inscription (demandes sans réponse) et avant le début de la session (places "
        "accordées).",
    )
    opco_rules_file: Path | None = Field(
        default=None,
        description="Fichier TOML des règles de prise en charge de l'OPCO (année, source, taux, "
        "plafonds, tranches d'effectif) ; non défini : celles livrées avec le hub.",
    )

    smtp_host: str | None = Field(
        default=None, description="Serveur SMTP ; non défini : envoi d'e-mails désactivé."
    )
    smtp_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Port SMTP ; par défaut 465 avec HUB_SMTP_SSL, 587 avec STARTTLS, sinon 25.",
    )
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = Field(
        default=True, description="Passer la connexion en TLS (STARTTLS) avant de s'identifier."
    )
    smtp_ssl: bool = Field(
        default=False,
        description="Connexion TLS dès l'ouverture (port 465) ; l'emporte sur STARTTLS.",
    )
    smtp_timeout_s: float = Field(default=30, gt=0, description="Attente maximale du serveur SMTP.")
    mail_from: str | None = Field(
        default=None,
        max_length=254,
        description="Expéditeur des e-mails, ex. « cae-hub <hub@federation.example> ».",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        pattern=r"^https?://[^\s]+$",
        description="Adresse publique du hub, pour les liens des e-mails.",
    )
    seminar_pack_days_before: int = Field(
        default=7,
        ge=0,
        le=90,
        description="Jours avant un séminaire où la tâche « build-seminar-packs » produit ses "
        "packs et les envoie aux membres des groupes.",
    )
    audit_signing_key: SecretStr | None = Field(
        default=None,
        description="Clé Ed25519 de la piste d'audit (base64 ou PEM), générée par "
        "« cae-hub audit init-key » ; obligatoire en production.",
    )
    audit_checkpoint_every: int = Field(
        default=100,
        ge=0,
        description="Point de contrôle signé tous les N événements d'audit (0 : jamais "
        "automatiquement).",
    )

    trusted_proxies: Annotated[list[IPvAnyNetwork], NoDecode] = Field(
        default_factory=list,
        description="Mandataires inverses (adresses IP ou réseaux CIDR, séparés par des "
        "virgules) dont l'en-tête X-Forwarded-For est cru ; vide : aucun.",
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            return [part for part in re.split(r"[,\s]+", value) if part]
        return value

    @field_validator("audit_signing_key")
    @classmethod
    def _readable_audit_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        parse_private_key(value.get_secret_value())  # a SigningKeyError names the fix
        return value

    @property
    def jobs_active(self) -> bool:
        """Whether this process runs the scheduled jobs."""
        if self.jobs_enabled is None:
            return self.environment != "test"
        return self.jobs_enabled

    @property
    def mail_enabled(self) -> bool:
        return bool(self.smtp_host)

    @property
    def smtp_effective_port(self) -> int:
        if self.smtp_port is not None:
            return self.smtp_port
        return 465 if self.smtp_ssl else 587 if self.smtp_starttls else 25

    @model_validator(mode="after")
    def _coherent_mail(self) -> Settings:
        if not self.smtp_host:
            return self
        if not self.mail_from:
            raise ValueError("HUB_MAIL_FROM doit être défini quand HUB_SMTP_HOST l'est.")
        if (self.smtp_username is None) != (self.smtp_password is None):
            raise ValueError("HUB_SMTP_USERNAME et HUB_SMTP_PASSWORD vont ensemble.")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @model_validator(mode="after")
    def _refuse_insecure_production(self) -> Settings:
        if self.environment != "production":
            return self
        secret = self.secret_key.get_secret_value()
        if secret == DEFAULT_SECRET or len(secret) < 32:
            raise InsecureSettingsError(
                "HUB_SECRET_KEY doit être défini en production (32 caractères au moins, "
                "différent de la valeur par défaut)."
            )
        if self.session_cookie_secure is False:
            raise InsecureSettingsError(
                "HUB_SESSION_COOKIE_SECURE=false est refusé en production : le cookie de "
                "session ne doit circuler qu'en HTTPS."
            )
        if self.audit_signing_key is None:
            raise InsecureSettingsError(
                "HUB_AUDIT_SIGNING_KEY doit être défini en production : générez une clé avec "
                "« cae-hub audit init-key » et placez la ligne affichée dans l'environnement."
            )
        if self.is_sqlite and not self.allow_sqlite_in_production:
            raise InsecureSettingsError(
                "HUB_DATABASE_URL désigne SQLite : en production, utilisez PostgreSQL "
                "ou posez HUB_ALLOW_SQLITE_IN_PRODUCTION=true."
            )
        return self


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
