"""THE shared test every registered tool passes (iterates over `bot.tools.TOOL_MODULES`).

Convention for tool authors — each Tool class provides:

    @classmethod
    def example_arguments(cls, workdir: Path, settings) -> list[dict]:
        '''Good calls. May write small input files; files a tool reads must lie under
        settings.home (where uploads live). Must be quick (seconds).'''

    @classmethod
    def bad_arguments(cls, workdir: Path, settings) -> list[dict]:   # optional
        '''Schema-valid calls that must raise UserError (missing file, unknown code...).'''

The test checks the schema, runs every good call (JSON-able data, text, existing files, string
tables) and checks that missing required keys, unknown keys, wrong types and the tool's own bad
calls raise a one-line `UserError` naming the tool.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from bot.config import load_settings
from bot.errors import USER_ERRORS
from bot.tools import TOOL_MODULES, ToolRegistry, ToolResult, tool_class
from tool_contract import wrong_type_calls

NAMES = sorted(TOOL_MODULES)


@pytest.fixture
def settings(tmp_path):
    s = load_settings()
    s.ensure_home()
    return s


@pytest.mark.parametrize("name", NAMES)
def test_schema_is_valid_and_strict(name):
    cls = tool_class(name)
    assert cls.name == name
    assert isinstance(cls.description, str) and len(cls.description) > 20
    schema = cls.parameters
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object" and schema["properties"]
    assert set(schema.get("required", [])) <= set(schema["properties"])
    assert schema.get("additionalProperties") is False, "unknown arguments must be rejected"
    for prop, spec in schema["properties"].items():
        assert spec.get("description"), f"{name}.{prop} has no description"
    entry = ToolRegistry(None, names=[name]).schemas()[0]
    assert entry == {"type": "function", "function": {"name": name, "description": cls.description,
                                                      "parameters": schema}}
    json.dumps(entry)


@pytest.mark.parametrize("name", NAMES)
def test_good_calls_work(name, settings, tmp_path):
    cls = tool_class(name)
    assert hasattr(cls, "example_arguments"), f"{name}: add a classmethod example_arguments(workdir, settings)"
    examples = cls.example_arguments(tmp_path, settings)
    assert examples, f"{name}: example_arguments returned no call"
    tool = cls(settings)
    for args in examples:
        res = tool.run(**args)
        assert isinstance(res, ToolResult)
        json.dumps(res.data)
        assert isinstance(res.text, str) and res.text.strip()
        for key, path in res.files.items():
            assert Path(path).is_file(), f"{name}: file '{key}' was not written: {path}"
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in res.tables.items())
        json.dumps(res.to_json())


@pytest.mark.parametrize("name", NAMES)
def test_bad_calls_give_clear_errors(name, settings, tmp_path):
    cls = tool_class(name)
    assert hasattr(cls, "example_arguments"), f"{name}: add a classmethod example_arguments(workdir, settings)"
    good = cls.example_arguments(tmp_path, settings)[0]
    tool = cls(settings)
    calls = [("unknown key", {**good, "no_such_argument": 1})]
    for req in cls.parameters.get("required", []):
        calls.append((f"missing {req}", {k: v for k, v in good.items() if k != req}))
    calls += [(f"wrong type for {p}", c) for p, c in wrong_type_calls(cls.parameters, good)]
    if hasattr(cls, "bad_arguments"):
        calls += [(f"bad call {i}", c) for i, c in enumerate(cls.bad_arguments(tmp_path, settings))]
    for why, args in calls:
        with pytest.raises(USER_ERRORS) as err:  # medbot's or a library's bad-input error
            tool.run(**args)
        msg = str(err.value)
        assert msg.strip() and "\n" not in msg.strip(), f"{name} ({why}): error must be one line: {msg!r}"
        assert "Traceback" not in msg


def test_registry_holds_the_agent_tools():
    for name in ("lookup_icd10", "summarize_case", "make_report"):
        assert name in TOOL_MODULES
