"""The ast reader of engine releases (scripts/handbook/checks/argsource.py), on a toy engine shaped like vLLM
(argparse calls, defaults in config classes) and SGLang (annotated fields)."""
from pathlib import Path

import pytest
from handbook.checks.argsource import ReaderSpec, read_release

TOY = Path(__file__).parent / "fixtures" / "engine_releases"
SPEC = ReaderSpec(files=["toyengine/*.py"], flag_classes=["Schedule"], env_files=["toyengine/envs.py"],
                  env_prefixes=["TOY_"])


@pytest.fixture(scope="module")
def release():
    return read_release(TOY / "toyengine-1.0", SPEC)


def test_argparse_defaults_follow_the_config_classes(release):
    assert release.flags["--block-size"].default == 16            # EngineArgs.block_size = CacheConfig.block_size
    assert release.flags["--gpu-memory-utilization"].default == 0.9
    assert release.flags["--max-num-seqs"].default is None         # unset: computed at start
    assert release.flags["--seed"].default == 0                    # a literal default= wins
    # **scheduler_kwargs["policy"], scheduler_kwargs = get_kwargs(SchedulerConfig): not BalancerConfig.policy
    assert release.flags["--scheduling-policy"].default == "fcfs"


def test_aliases_and_negations(release):
    assert release.flags["--tensor-parallel-size"].aliases == ["-tp"]
    assert "--no-enable-prefix-caching" in release.flags["--enable-prefix-caching"].aliases
    assert release.lookup("-tp") is release.flags["--tensor-parallel-size"]
    assert release.lookup("--no-such-flag") is None


def test_deprecation_is_read_from_the_action_the_help_or_a_warning(release):
    assert release.flags["--old-eager"].deprecated is True
    assert release.flags["--seed"].deprecated is False
    legacy = release.flags["--legacy-batching"]          # declared plainly; a warning elsewhere says it is deprecated
    assert legacy.deprecated is True and legacy.deprecation.startswith("toyengine/args.py:")
    assert legacy.as_json()["deprecation"] == legacy.deprecation


def test_annotated_fields_become_flags(release):
    page = release.flags["--page-size"]
    assert page.default == 1 and page.aliases == ["--tokens-per-page"]
    assert release.flags["--tp-size"].aliases == ["--tensor-parallel-size"]   # cli_name and aliases from Arg(...)
    assert release.flags["--chunked-prefill-size"].default == 8192           # A[int, "help"] = 8192
    assert "--internal-rank" not in release.flags                            # no_cli=True


def test_config_classes_and_environment_variables(release):
    assert release.classes["SchedulerConfig"]["policy"] == "fcfs"            # field(default=...)
    assert release.classes["CompilationConfig"]["max_capture_size"] == 512
    assert set(release.env) == {"TOY_ATTENTION_BACKEND", "TOY_LOG_LEVEL"}
    assert release.env["TOY_LOG_LEVEL"].startswith("toyengine/envs.py:")


def test_flags_carry_their_source_line(release):
    flag = release.flags["--calculate-scales"]
    text = (TOY / "toyengine-1.0" / flag.file).read_text().splitlines()[flag.line - 1]
    assert "--calculate-scales" in text
