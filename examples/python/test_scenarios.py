"""A team's own scenario, run by `asana-harness run --format json` and judged by its JSON report.

Each scenario gets its own fake Asana and fake OneLogin inside `run`, so these tests need only
the harness's command (the binary, or the image), not the fakes the session started."""

import json

STORY = """\
name: a new hire waits for approval, then appears in Asana
given:
  asana: { service_accounts: [{ as: sa, scope: scim }] }
  onelogin:
    users: [{ as: hedy, email: hedy@acme.test, firstname: Hedy, lastname: Lamarr }]
    roles: [{ as: asana-users, apps: [asana] }]
    asana_app: { token: "${sa.token}", enabled: true, require_approval: [create] }
steps:
  - enable_api: {}
  - add_role_users: { role: asana-users, users: [hedy] }
  - expect_task: { user: hedy, action: create, status: pending }
  - expect_asana_user: { user_name: hedy@acme.test, exists: false }
  - approve: { user: hedy, action: create }
  - expect_asana_user: { user_name: hedy@acme.test, active: true }
"""


def run_scenario(harness, tmp_path, text: str):
    scenario = tmp_path / "new-hire.yaml"
    scenario.write_text(text)
    done = harness.cli("run", "--format", "json", str(scenario), reads=tmp_path)
    assert done.stdout, f"no report (exit {done.returncode}): {done.stderr}"
    return done.returncode, json.loads(done.stdout)


def test_the_story_holds(harness, tmp_path):
    code, report = run_scenario(harness, tmp_path, STORY)
    assert code == 0, report
    assert report["summary"] == {"passed": 1, "failed": 0, "skipped": 0}
    [scenario] = report["scenarios"]
    assert scenario["outcome"] == "passed"
    assert [step["kind"] for step in scenario["steps"]] == [
        "enable_api",
        "add_role_users",
        "expect_task",
        "expect_asana_user",
        "approve",
        "expect_asana_user",
    ]
    assert all(step["outcome"] == "passed" for step in scenario["steps"])


def test_a_wrong_expectation_fails_with_the_step_and_why(harness, tmp_path):
    # Without the approval, the person never reaches Asana: the last expectation is wrong.
    story = STORY.replace("  - approve: { user: hedy, action: create }\n", "")
    last = story.splitlines().index(
        "  - expect_asana_user: { user_name: hedy@acme.test, active: true }"
    )
    code, report = run_scenario(harness, tmp_path, story)
    assert code == 1, report
    assert report["summary"] == {"passed": 0, "failed": 1, "skipped": 0}
    [scenario] = report["scenarios"]
    assert scenario["outcome"] == "failed"
    failure = scenario["failure"]
    assert failure["kind"] == "expect_asana_user"
    assert failure["line"] == last + 1
    assert failure["message"] == "Asana user hedy@acme.test"
    assert failure["expected"] == "exists"
