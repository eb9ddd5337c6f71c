"""YAML is read by libyaml's C parser, with the safe loader's values and errors."""

from __future__ import annotations

import pytest
import yaml

from pierre_rag import yaml_text


def test_the_c_parser_is_used_when_pyyaml_has_one():
    # The layer's PyYAML wheel bundles libyaml: its pure-Python parser is ten times slower
    assert yaml.__with_libyaml__
    assert yaml_text.SafeLoader is yaml.CSafeLoader


def test_it_reads_what_the_safe_loader_reads():
    text = "id: exemple.fr\nhandoff:\n  phone: '01 99 00 00 00'\n  hours: [lundi, mardi]\nn: 3\n"

    assert yaml_text.safe_load(text) == yaml.safe_load(text)


def test_it_refuses_python_objects_as_the_safe_loader_does():
    with pytest.raises(yaml.YAMLError):
        yaml_text.safe_load("!!python/object/apply:os.system ['true']")


def test_a_syntax_error_names_its_line():
    with pytest.raises(yaml.YAMLError, match="line 2"):
        yaml_text.safe_load("id: a\n  bad: [unclosed\n")
