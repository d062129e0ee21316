from pathlib import Path

import pytest

from finetune.errors import UserError
from finetune.config import FinetuneConfig, load_config, parse_config

CONFIGS = sorted((Path(__file__).resolve().parents[2] / "configs" / "finetune").glob("*.yaml"))


def test_there_are_committed_recipes():
    assert len(CONFIGS) >= 2


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_every_committed_recipe_loads(path):
    cfg = load_config(path)
    assert isinstance(cfg, FinetuneConfig)
    assert cfg.lora.r >= 1 and cfg.data.max_seq_len >= 16


def test_unknown_key_is_rejected_and_named():
    with pytest.raises(UserError, match=r"unknown key 'lora.rank'"):
        parse_config({"data": {"train": "x.jsonl"}, "lora": {"rank": 8}})


def test_missing_train_file_is_named():
    with pytest.raises(UserError, match=r"missing key 'data.train'"):
        parse_config({"data": {}})


def test_bad_value_is_named():
    with pytest.raises(UserError, match=r"'training.batch_size'"):
        parse_config({"data": {"train": "x"}, "training": {"batch_size": 0}})


def test_yaml_syntax_error_is_one_line(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("data: [unclosed\n")
    with pytest.raises(UserError) as e:
        load_config(p)
    assert "\n" not in str(e.value)


def test_home_placeholder_resolves(tmp_path):
    cfg = parse_config({"data": {"train": "{home}/d/train.jsonl"}, "training": {"output_dir": "{home}/runs/a"}})
    r = cfg.resolve(tmp_path)
    assert r.data.train == str(tmp_path / "d" / "train.jsonl")
    assert r.training.output_dir == str(tmp_path / "runs" / "a")
    assert cfg.data.train == "{home}/d/train.jsonl"  # the original is untouched


def test_code_defaults_match_yaml_round_trip():
    from finetune.config import dump_config
    import yaml

    cfg = parse_config({"data": {"train": "t.jsonl"}})
    again = parse_config(yaml.safe_load(dump_config(cfg)))
    assert again == cfg
