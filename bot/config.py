"""One typed settings object: `$MEDBOT_HOME/config.toml`, then `MEDBOT_*` env vars, then CLI flags.

Sections (`[retrieval]`, `[safety]`, `[vision]`, `[genomics]`, `[finetune]`) are pydantic models
owned by their packages; env vars address them with a double underscore, e.g.
`MEDBOT_RETRIEVAL__CHROMA_URL`. Unknown keys anywhere are rejected with a message naming them.
"""

from __future__ import annotations

import argparse
import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.errors import UserError

EMERGENCY_NUMBERS = {
    "en-US": "911", "en-CA": "911", "es-US": "911", "en-GB": "999", "en-IE": "112", "en-AU": "000",
    "en-NZ": "111", "en-IN": "112", "fr-FR": "112", "de-DE": "112", "es-ES": "112", "it-IT": "112",
    "nl-NL": "112", "pt-BR": "192", "ja-JP": "119", "zh-CN": "120",
}


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class RetrievalSettings(Section):
    """Literature retrieval."""

    chroma_url: str | None = None  # http://HOST:PORT uses an external Chroma server; None = the home's own store
    store: Literal["server", "embedded"] = "server"  # home's store: one supervised Chroma server, or in-process (one process only)
    collection: str = "knowledge"  # an older home's "medline" collection is used as it is (no re-embedding)
    embedder: str | None = None  # None = MiniLM, bf16 (OpenVINO) or int8 (onnxruntime); "minilm-torch", a .onnx file or a folder
    k: int = 5
    min_similarity: float = 0.40  # dense cosine below which passages are "not relevant" (calibrated: docs/retrieval.md)
    evidence_max_age_years: int = 10
    auto_build: bool = True  # first search on an empty home builds the BM25 index of the default corpus
    auto_fill: bool = True  # start the background dense fill when vectors are missing
    unreachable_s: float = 6.0  # retry a running store server this long before saying it cannot be reached


class SafetySettings(Section):
    """Triage, PHI redaction, access control."""

    redact_remote: bool = True  # redact PHI in anything sent to an `openai` backend
    retention_days: int = 0  # 0 keeps conversations until deleted
    auth_file: str | None = None
    rate_limit_per_minute: int = 30
    # llm = concept rules, then a local 1.5B model's second opinion when they find nothing; rules = rules only
    triage_classifier: Literal["llm", "rules"] = "llm"
    triage_model: str | None = None  # GGUF of the triage judge; None = the bundled Qwen2.5-1.5B (never --model)
    triage_threads: int | None = None  # CPU threads of the judge; None = all cores

    @field_validator("triage_classifier", mode="before")
    @classmethod
    def _old_classifier_name(cls, v):
        # "embedding" named the previous release's learned classifier; the local LLM judge replaced it
        return "llm" if v == "embedding" else v
    audit: bool = True  # append PHI-redacted records of every turn to home/audit/audit.jsonl
    max_upload_files: int = 10  # files per message in the web chat
    max_decompressed_ratio: float = 200.0  # refuse compressed uploads that inflate more than this
    max_upload_mb: dict[str, float] = Field(default_factory=lambda: {
        "json": 20, "image": 200, "dicom": 500, "nifti": 500, "bam": 200, "vcf": 100,
        "fasta": 200, "pdf": 50, "text": 10, "xml": 200, "jsonl": 200,
    })


class VisionSettings(Section):
    """Image segmentation."""

    segmenter: str = "default"  # "default" or a user model path (MONAI bundle, TorchScript, ONNX)
    threads: int | None = None  # torch CPU threads for segmentation; None = torch's default
    min_finding_ml: float = 0.05  # lesion components smaller than this are ignored as noise
    classifier: str | None = None  # lesion classifier folder from `medbot train-classifier`; None = no classifier


class GenomicsSettings(Section):
    """Variant calling."""

    caller: Literal["cnn", "bcftools"] = "cnn"
    weights: str | None = None  # CNN caller weights (.pt with its .json card); None = bundled weights


class FinetuneSettings(Section):
    """LoRA fine-tuning defaults."""

    output_dir: str | None = None


class Settings(Section):
    """All of medbot's settings. Field docs double as `medbot --help` text."""

    home: Path = Field(default_factory=lambda: Path(os.environ.get("MEDBOT_HOME", "~/.medbot")).expanduser())
    model: str | None = None  # .gguf path, HF folder, http(s):// base URL, or a bundled name; None = "qwen1.5b"
    model_name: str | None = None  # model id served by an OpenAI-compatible server
    api_key: str | None = None
    adapter: str | None = None  # PEFT LoRA adapter folder
    backend: Literal["auto", "llamacpp", "transformers", "openai"] = "auto"
    role: Literal["patient", "clinician"] = "patient"
    locale: str = "en-US"
    emergency_number: str | None = None  # overrides the locale's number
    user: str = "local"
    n_ctx: int = 4096
    max_tokens: int = 384
    temperature: float = 0.2
    seed: int = 0
    threads: int | None = None
    device: str = "auto"  # transformers backend: auto | cpu | cuda
    host: str = "127.0.0.1"
    port: int = 7860
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    safety: SafetySettings = Field(default_factory=SafetySettings)
    vision: VisionSettings = Field(default_factory=VisionSettings)
    genomics: GenomicsSettings = Field(default_factory=GenomicsSettings)
    finetune: FinetuneSettings = Field(default_factory=FinetuneSettings)

    @property
    def emergency(self) -> str:
        """The emergency phone number for the configured locale."""
        return self.emergency_number or EMERGENCY_NUMBERS.get(self.locale, "112")

    @property
    def db_path(self) -> Path:
        return self.home / "medbot.sqlite3"

    def ensure_home(self) -> Path:
        """Create `home` (owner-only) and return it."""
        self.home.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self.home


_SECTIONS = {"retrieval", "safety", "vision", "genomics", "finetune"}


def _env_overrides(environ: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in environ.items():
        if not key.startswith("MEDBOT_") or key == "MEDBOT_HOME" or key.startswith("MEDBOT_TEST_"):
            continue
        name = key[len("MEDBOT_"):].lower()
        if name == "debug":
            continue
        if "__" in name:
            section, field = name.split("__", 1)
            out.setdefault(section, {})[field] = value
        else:
            out[name] = value
    return out


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for k, v in extra.items():
        if isinstance(v, dict) and isinstance(merged.get(k), dict):
            merged[k] = _merge(merged[k], v)
        else:
            merged[k] = v
    return merged


def _describe(err: ValidationError, origin: str) -> str:
    parts = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"])
        if e["type"] == "extra_forbidden":
            parts.append(f"unknown key '{loc}'")
        else:
            parts.append(f"'{loc}': {e['msg']}")
    return f"invalid settings ({origin}): " + "; ".join(parts)


def load_settings(overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Build Settings from config.toml, env vars and flag overrides (flags win).

    Raises:
        UserError: unknown keys or invalid values, naming them.
    """
    environ = dict(os.environ if environ is None else environ)
    home = Path(environ.get("MEDBOT_HOME", "~/.medbot")).expanduser()
    data: dict[str, Any] = {}
    cfg = home / "config.toml"
    if cfg.is_file():
        try:
            data = tomllib.loads(cfg.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise UserError(f"cannot parse {cfg}: {exc}") from None
        try:
            Settings.model_validate({**data, "home": home})
        except ValidationError as exc:
            raise UserError(_describe(exc, str(cfg))) from None
    env = _env_overrides(environ)
    data = _merge(data, env)
    try:
        Settings.model_validate({**data, "home": home})
    except ValidationError as exc:
        raise UserError(_describe(exc, "MEDBOT_* environment")) from None
    flags = {k: v for k, v in (overrides or {}).items() if v is not None}
    data = _merge(data, flags)
    data["home"] = home
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise UserError(_describe(exc, "command-line flags")) from None


# Flags that map one-to-one onto top-level Settings fields.
_FLAG_FIELDS = ("model", "model_name", "adapter", "role", "locale", "user", "max_tokens", "temperature", "seed")


def settings_from_args(args: argparse.Namespace, **extra: Any):
    """Settings with flag overrides from `args` (flags win over env and config.toml)."""
    overrides = {f: getattr(args, f, None) for f in _FLAG_FIELDS}
    chroma = getattr(args, "chroma_url", None)
    if chroma:
        overrides["retrieval"] = {"chroma_url": chroma}
    overrides.update({k: v for k, v in extra.items() if v is not None})
    return load_settings(overrides)
