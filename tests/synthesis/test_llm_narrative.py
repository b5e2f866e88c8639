"""The LLM narrative through the fake Ollama server: streaming, grounding pass / fail, failures, model_chain."""
from __future__ import annotations

import pytest

from services.common.llm import make_client
from services.synthesis.composer import Composer
from services.synthesis.model import Chunk, Final, Reset
from services.synthesis.servicer import to_input
from tests.support.fake_ollama import FakeModelServer
from tests.synthesis import fixtures as f
from tests.synthesis.helpers import prepared

MODEL = "gemma3:4b-instruct"
NAME = f"ollama:{MODEL}"
GROUNDED = ("横浜拠点では残業時間超過アラートが3件あり、最優先の課題です。月曜の欠勤率は18.5%と他の曜日平均6.8%より高く、"
            "予備人員の配置をおすすめします。配置案の充足率は84.4%から93.5%に上がり、不足は4.0人時になります。")
INVENTED = "横浜拠点では残業時間超過アラートが3件あります。配置を見直せば生産性が37%向上します。以上です。"


@pytest.fixture(scope="module")
async def server():
    async with FakeModelServer(model=MODEL, chunk_size=3) as srv:
        yield srv


@pytest.fixture
async def llm(server):
    server.reset(chunk_size=3)
    client = make_client("ollama", server.url, 0, MODEL)
    yield client
    await client.aclose()


def optimize_request(**kw):
    return f.request("optimize", parts=f.FULL, **kw)


async def events(composer: Composer, request) -> list:
    return [e async for e in composer.stream(to_input(request))]


def split(evts: list) -> tuple[list[str], list[Reset], list[str], Final]:
    """(chunks before a reset, resets, chunks after the last reset, final)."""
    resets = [e for e in evts if isinstance(e, Reset)]
    cut = max((i for i, e in enumerate(evts) if isinstance(e, Reset)), default=-1)
    before = [e.text for e in evts[:max(cut, 0)] if isinstance(e, Chunk)]
    after = [e.text for e in evts[cut + 1:] if isinstance(e, Chunk)]
    assert isinstance(evts[-1], Final) and sum(isinstance(e, Final) for e in evts) == 1
    return before, resets, after, evts[-1]


# ---- Compose (whole text) ------------------------------------------------------------------------------
async def test_grounded_llm_narrative_is_used_and_named(server, llm):
    server.reply = GROUNDED
    c = await Composer(llm, llm_timeout=5).compose(to_input(optimize_request()))
    assert c.narrative == GROUNDED
    assert c.model_chain == [NAME]
    assert c.grounding.fallback_used is False and c.grounding.unsupported_numbers == []
    assert c.grounding.numbers_checked == 6
    assert c.answer == "横浜拠点の最優先課題は残業時間超過アラート（3件）です。"  # the headline stays deterministic
    sent = server.received[-1]
    assert sent.path == "/api/generate"
    assert "新しい数値" in sent.body["system"]
    assert "【計算済みプラン】" in sent.body["prompt"] and "現在の配置 84.4% → 配置案 93.5%" in sent.body["prompt"]
    assert sent.body["options"] == {"temperature": 0.3, "num_predict": 800}


async def test_invented_number_rejects_the_llm_narrative(server, llm):
    server.reply = INVENTED
    request = optimize_request()
    c = await Composer(llm, llm_timeout=5).compose(to_input(request))
    assert c.model_chain == [f"{NAME} (rejected: ungrounded)", "deterministic-writer"]
    assert c.grounding.fallback_used is True
    assert c.grounding.unsupported_numbers == ["37%"]
    assert c.grounding.rejected_narrative == INVENTED
    assert c.narrative == prepared(request).deterministic
    assert "37%" not in c.narrative


@pytest.mark.parametrize("behaviour,timeout,entry", [
    ({"status": 500}, 5.0, "failed: unavailable"),
    ({"delay": 1.0}, 0.3, "failed: timeout"),
    ({"reply": "The plan looks fine."}, 5.0, "rejected: not-japanese"),
    ({"reply": "   "}, 5.0, "failed: empty"),
])
async def test_llm_failures_fall_back_and_say_what_ran(server, llm, behaviour, timeout, entry):
    server.reset(**behaviour)
    c = await Composer(llm, llm_timeout=timeout).compose(to_input(optimize_request()))
    assert c.model_chain == [f"{NAME} ({entry})", "deterministic-writer"]
    assert c.grounding.fallback_used is True
    assert c.narrative.startswith("横浜拠点の最優先課題は残業時間超過アラート（3件）です。")


async def test_unsupported_mode_never_calls_the_model(server, llm):
    c = await Composer(llm).compose(to_input(f.request("unsupported", parts=(), query="天気は？",
                                                       intent_name="unsupported")))
    assert server.received == [] and c.model_chain == ["deterministic-writer"]


async def test_query_uses_the_seed_simple_prompt(server, llm):
    server.reply = "現在、横浜の未解決アラートは8件です。"
    c = await Composer(llm).compose(to_input(f.request("query", parts=("overview", "alert_stats"),
                                                       query="現在のアラート件数は？", intent_name="simple_query")))
    body = server.received[-1].body
    assert body["prompt"].startswith("以下のリアルタイムデータを基に自然な日本語で回答してください")
    assert body["options"]["num_predict"] == 160
    assert c.narrative == "現在、横浜の未解決アラートは8件です。" and c.model_chain == [NAME]


# ---- ComposeStream ---------------------------------------------------------------------------------------
async def test_stream_passes_tokens_through_and_the_final_is_what_was_streamed(server, llm):
    server.reply = GROUNDED
    evts = await events(Composer(llm, llm_timeout=5), optimize_request())
    before, resets, after, final = split(evts)
    assert resets == [] and before == []
    assert len(after) > 10                                    # token by token, not one block
    assert "".join(after) == final.composition.narrative == GROUNDED
    assert final.composition.model_chain == [NAME] and not final.composition.grounding.fallback_used
    assert server.received[-1].path == "/api/chat"


async def test_stream_ungrounded_resets_and_never_shows_the_invented_number(server, llm):
    server.reply = INVENTED
    request = optimize_request()
    evts = await events(Composer(llm, llm_timeout=5), request)
    before, resets, after, final = split(evts)
    assert [r.reason for r in resets] == ["ungrounded"] and resets[0].unsupported_numbers == ("37%",)
    assert "".join(before).startswith("横浜拠点では残業時間超過アラートが3件あります。")
    assert "37" not in "".join(before)                      # held until checked, then refused
    assert "".join(after) == final.composition.narrative == prepared(request).deterministic
    g = final.composition.grounding
    assert g.fallback_used and g.unsupported_numbers == ["37%"]
    assert final.composition.model_chain == [f"{NAME} (rejected: ungrounded)", "deterministic-writer"]


async def test_stream_states_missing_engines_first(server, llm):
    server.reply = "残業時間超過アラートが3件あり、最優先です。"
    request = f.request("optimize", parts=("overview", "knowledge"), degraded=(("solver", "timeout"),))
    _, resets, after, final = split(await events(Composer(llm, llm_timeout=5), request))
    assert resets == []
    assert after[0] == "最適化エンジンが応答しなかったため、配置案は含まれていません。\n"
    assert "".join(after) == final.composition.narrative
    assert final.composition.narrative.endswith("残業時間超過アラートが3件あり、最優先です。")


async def test_stream_timeout_midway_resets_to_the_deterministic_narrative(server, llm):
    server.reset(reply=GROUNDED * 3, chunk_size=3, chunk_delay=0.05)
    request = optimize_request()
    before, resets, after, final = split(await events(Composer(llm, llm_timeout=0.6), request))
    assert before and [r.reason for r in resets] == ["timeout"]
    assert "".join(after) == prepared(request).deterministic
    assert final.composition.model_chain == [f"{NAME} (failed: timeout)", "deterministic-writer"]


async def test_streaming_off_checks_the_whole_text_before_sending(server, llm):
    server.reply = INVENTED
    request = optimize_request()
    before, resets, after, final = split(await events(Composer(llm, llm_timeout=5, streaming=False), request))
    assert resets == [] and "".join(after) == prepared(request).deterministic
    assert final.composition.grounding.fallback_used
    server.reply = GROUNDED
    _, _, after, final = split(await events(Composer(llm, llm_timeout=5, streaming=False), request))
    assert "".join(after) == GROUNDED == final.composition.narrative


async def test_no_llm_streams_the_deterministic_narrative_in_sentences():
    request = optimize_request()
    _, resets, after, final = split(await events(Composer(None), request))
    assert resets == [] and len(after) > 10
    assert "".join(after) == final.composition.narrative == prepared(request).deterministic
    assert final.composition.model_chain == ["deterministic-writer"]


async def test_openai_compatible_provider_streams_the_same_way(server):
    server.reset(reply=GROUNDED, chunk_size=5)
    client = make_client("openai", server.url, 0, MODEL)
    try:
        _, resets, after, final = split(await events(Composer(client, llm_timeout=5), optimize_request()))
    finally:
        await client.aclose()
    assert resets == [] and "".join(after) == GROUNDED
    assert final.composition.model_chain == [f"openai:{MODEL}"]
