"""frameworks.yaml and the ``frameworks:`` claims of controls checked against it."""

from __future__ import annotations

from pathlib import Path

import pytest

from logwarden.scanner.errors import InputError
from logwarden.scanner.frameworks import builtin_frameworks, load_frameworks
from tests.offline import aws_catalogue

RULES_HEAD = """version: 1
controls:
  - id: aws.custom.claims
    title: A control with claims
    severity: low
    resource: aws.cloudtrail.trail
    assert: {IsLogging: true}
    rationale: r
    remediation: {text: t}
    frameworks:
"""


def _load(tmp_path: Path, claims: str) -> object:
    from logwarden.scanner.rules import builtin_rules_path
    from tests.catalogue import load_rules

    rules = tmp_path / "extra.yaml"
    rules.write_text(RULES_HEAD + claims)
    return load_rules([builtin_rules_path(), rules], ["aws"])


def test_the_builtin_catalogue_loads_and_every_framework_has_requirements() -> None:
    catalogue = builtin_frameworks()
    assert catalogue.frameworks
    for framework in catalogue.frameworks.values():
        ids = [r.id for r in framework.requirements]
        assert ids and len(ids) == len(set(ids)), framework.id
        assert all(r.title for r in framework.requirements), framework.id


def test_every_builtin_claim_names_a_catalogued_requirement_or_a_mapping() -> None:
    catalogue = builtin_frameworks()
    cat, _ = aws_catalogue()
    for check in cat.checks.values():
        for fw, ids in check.frameworks.items():
            if fw in catalogue.mappings:
                continue
            framework = catalogue.frameworks[fw]
            assert all(framework.requirement(i) for i in ids), (check.id, fw, ids)
            assert set(check.partial_frameworks.get(fw, ())) <= set(ids)


def test_partial_claims_are_kept_apart(tmp_path: Path) -> None:
    cat = _load(tmp_path, '      cis-aws-6.0: ["4.1", {id: "4.6", partial: true}]\n')
    check = cat.checks["aws.custom.claims"]  # type: ignore[attr-defined]
    assert check.frameworks == {"cis-aws-6.0": ("4.1", "4.6")}
    assert check.partial_frameworks == {"cis-aws-6.0": ("4.6",)}


def test_a_scheme_of_the_users_own_is_accepted_as_written(tmp_path: Path) -> None:
    cat = _load(tmp_path, "      acme-logging-policy: [LOG-1, LOG-2]\n")
    check = cat.checks["aws.custom.claims"]  # type: ignore[attr-defined]
    assert check.frameworks == {"acme-logging-policy": ("LOG-1", "LOG-2")}


@pytest.mark.parametrize(
    ("claims", "message", "fix"),
    [
        (
            '      cis-aws-6.0: ["9.99"]\n',
            "cis-aws-6.0 has no requirement '9.99'",
            "frameworks.yaml",
        ),
        ('      cis-aws-6.1: ["4.1"]\n', "unknown framework 'cis-aws-6.1'", "cis-aws-6.0"),
        ('      cis-aws-6.0: "4.1"\n', "must list requirement ids", "partial: true"),
        ('      cis-aws-6.0: [{id: "4.1", partly: true}]\n', "unknown claim field", "partial"),
        ("      cis-aws-6.0: [[4.1]]\n", "is not a requirement id", "partial: true"),
    ],
)
def test_a_wrong_claim_is_a_load_error_with_its_line(
    tmp_path: Path, claims: str, message: str, fix: str
) -> None:
    with pytest.raises(InputError) as caught:
        _load(tmp_path, claims)
    [problem] = caught.value.problems
    assert message in problem.message
    assert fix in problem.fix
    assert problem.file.endswith("extra.yaml") and problem.line == 11


def test_a_malformed_frameworks_file_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "frameworks.yaml"
    bad.write_text(
        "version: 1\nframeworks:\n  x-1:\n    title: X\n    version: 1\n    requirements:\n"
        "      - {id: A, title: a}\n      - {id: A, title: again}\n      - {id: B}\n"
    )
    with pytest.raises(InputError) as caught:
        load_frameworks(bad)
    text = str(caught.value)
    assert "duplicate requirement 'A'" in text and f"{bad}:8" in text
    assert "'title'" in text and f"{bad}:9" in text


def test_every_azure_control_claims_nist_pci_iso_and_soc2_and_cis_in_both_versions() -> None:
    from tests.catalogue import controls

    for check in controls("azure"):
        for framework in ("nist-800-53-r5", "pci-dss-4.0", "iso-27001-2022", "soc2"):
            assert check.frameworks.get(framework), (check.id, framework)
        # a CIS Azure item is in v2.1.0 and v3.0.0 under other numbers: claim both or neither
        assert bool(check.frameworks.get("cis-azure-2.1")) == bool(
            check.frameworks.get("cis-azure-3.0")
        ), check.id


def test_every_aws_control_names_its_nist_and_iso_requirements() -> None:
    from tests.catalogue import controls

    missing = [
        (c.id, fw)
        for c in controls("aws")
        for fw in ("nist-800-53-r5", "iso-27001-2022")
        if not c.frameworks.get(fw)
    ]
    assert missing == []


def test_cis_aws_logging_requirements_are_fully_tested_or_not_testable() -> None:
    """CIS AWS v6.0.0 section 4 (Logging): a control tests each requirement in full, or the
    requirement says why it cannot be (section 5 is claimed by the monitoring controls)."""
    from tests.catalogue import controls

    full = {
        req
        for c in controls("aws")
        for req in c.frameworks.get("cis-aws-6.0", ())
        if req not in c.partial_frameworks.get("cis-aws-6.0", ())
    }
    framework = builtin_frameworks().frameworks["cis-aws-6.0"]
    logging = [r for r in framework.requirements if r.id.startswith("4.")]
    assert logging
    untested = [r.id for r in logging if r.id not in full and not r.not_testable]
    assert untested == []
    assert "5.16" in full  # Security Hub, the one monitoring item this catalogue tests itself
