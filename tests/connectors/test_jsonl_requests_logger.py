"""RequestLogger with the real OpenAI and Anthropic SDK clients over a mock transport answering as each vendor
documents (OpenAI chat completion and Responses objects with cached tokens; an Anthropic message with cache reads
and 5-minute / 1-hour cache writes). The written file is read back with the jsonl_requests reader."""

import json
import threading

import anthropic
import httpx2
import openai
import pytest

from connectors.jsonl_requests.logger import RequestLogger
from connectors.jsonl_requests.reader import claims, read_requests

KEY = "sk-test-secret-key-0123456789"

# platform.openai.com API reference, "The chat completion object" (usage with prompt_tokens_details)
CHAT = {
    "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
    "object": "chat.completion",
    "created": 1741570283,
    "model": "gpt-4o-mini-2024-07-18",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "the answer text", "refusal": None, "annotations": []},
            "logprobs": None,
            "finish_reason": "stop",
        }
    ],
    "usage": {
        "prompt_tokens": 1117,
        "completion_tokens": 46,
        "total_tokens": 1163,
        "prompt_tokens_details": {"cached_tokens": 1024, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
    },
    "service_tier": "default",
    "system_fingerprint": "fp_fc9f1d7035",
}
# "The response object" (usage with input_tokens_details / output_tokens_details)
RESPONSE = {
    "id": "resp_67ccd3a9da748190baa7f1570fe91ac604becb25c45c1d41",
    "object": "response",
    "created_at": 1741476777,
    "status": "completed",
    "model": "o4-mini-2025-04-16",
    "output": [],
    "parallel_tool_calls": True,
    "tool_choice": "auto",
    "tools": [],
    "service_tier": "flex",
    "usage": {
        "input_tokens": 5000,
        "input_tokens_details": {"cached_tokens": 3000, "cache_write_tokens": 0},
        "output_tokens": 900,
        "output_tokens_details": {"reasoning_tokens": 700},
        "total_tokens": 5900,
    },
}
# docs.anthropic.com Messages API response (usage with cache_creation split by TTL)
MESSAGE = {
    "id": "msg_013Zva2CMHLNnXjNJJKqJ2EF",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-20250514",
    "content": [{"type": "text", "text": "the answer text"}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {
        "input_tokens": 21,
        "cache_creation_input_tokens": 3000,
        "cache_read_input_tokens": 1800,
        "cache_creation": {"ephemeral_5m_input_tokens": 1000, "ephemeral_1h_input_tokens": 2000},
        "output_tokens": 393,
        "service_tier": "standard",
    },
}
OPENAI_ERROR = {"error": {"message": "bad model", "type": "invalid_request_error", "param": None, "code": None}}


def transport(routes: dict[str, tuple[int, dict]], seen: list):
    def handle(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        status, body = routes[request.url.path]
        return httpx2.Response(status, json=body, headers={"request-id": "req_err_1", "x-request-id": "req_err_1"})

    return httpx2.Client(transport=httpx2.MockTransport(handle))


def test_openai_calls_are_logged_with_disjoint_buckets(tmp_path):
    path, seen = tmp_path / "requests.jsonl", []
    routes = {"/v1/chat/completions": (200, CHAT), "/v1/responses": (200, RESPONSE)}
    log = RequestLogger(path, team="search", feature="answers", tags={"env": "prod"})
    client = log.wrap(openai.OpenAI(api_key=KEY, base_url="http://test/v1", http_client=transport(routes, seen)))
    messages = [{"role": "user", "content": "the question text"}]
    reply = client.chat.completions.create(
        model="gpt-4o-mini", messages=messages, user="alice", extra_headers={"X-Secret": "hdr-secret"}
    )
    assert reply.choices[0].message.content == "the answer text"  # the caller gets the SDK's own object
    client.responses.create(model="o4-mini", input="the question text", log_team="research", log_tags={"run": "7"})
    assert client.models is not None  # everything else passes through
    chat, resp = read_requests(path).to_pylist()
    # 1,117 prompt tokens include 1,024 cached -> 93 uncached
    assert (chat["input_tokens"], chat["cache_read_tokens"], chat["cache_write_tokens"]) == (93, 1024, 0)
    assert (chat["output_tokens"], chat["reasoning_tokens"]) == (46, 0)
    assert (chat["request_id"], chat["model"], chat["provider"]) == (CHAT["id"], "gpt-4o-mini-2024-07-18", "openai")
    assert (chat["user_id"], chat["team"], chat["feature"], chat["status"]) == ("alice", "search", "answers", "success")
    assert chat["service_tier"] == "standard" and json.loads(chat["tags"]) == {"env": "prod"}
    # 5,000 input include 3,000 cached -> 2,000; 900 output include 700 reasoning; flex kept; per-call overrides
    assert (resp["input_tokens"], resp["cache_read_tokens"], resp["output_tokens"], resp["reasoning_tokens"]) == (
        2000,
        3000,
        900,
        700,
    )
    assert (resp["service_tier"], resp["team"], resp["feature"]) == ("flex", "research", "answers")
    assert json.loads(resp["tags"]) == {"env": "prod", "run": "7"}
    text = path.read_text()
    for secret in (KEY, "hdr-secret", "the question text", "the answer text", "log_team"):
        assert secret not in text
    assert "log_team" not in seen[1].content.decode()  # per-call fields never reach the vendor
    assert claims(path)


def test_anthropic_message_splits_cache_writes_by_ttl(tmp_path):
    path, seen = tmp_path / "requests.jsonl", []
    log = RequestLogger(path, user="svc-batch")
    client = log.wrap(
        anthropic.Anthropic(
            api_key=KEY, base_url="http://test", http_client=transport({"/v1/messages": (200, MESSAGE)}, seen)
        )
    )
    client.messages.create(
        model="claude-sonnet-4-0",
        max_tokens=1024,
        messages=[{"role": "user", "content": "hi"}],
        metadata={"user_id": "u-9"},
    )
    (line,) = read_requests(path).to_pylist()
    # Anthropic's input_tokens exclude cache reads and writes: the buckets pass through, writes split 1,000 / 2,000
    assert (line["input_tokens"], line["cache_read_tokens"]) == (21, 1800)
    assert (line["cache_write_tokens"], line["cache_write_1h_tokens"], line["output_tokens"]) == (1000, 2000, 393)
    assert (line["provider"], line["model"], line["user_id"]) == ("anthropic", "claude-sonnet-4-20250514", "u-9")
    assert KEY not in path.read_text()


def test_an_api_error_is_logged_as_error_and_raised(tmp_path):
    path, seen = tmp_path / "requests.jsonl", []
    client = RequestLogger(path, team="search").wrap(
        openai.OpenAI(
            api_key=KEY,
            base_url="http://test/v1",
            max_retries=0,
            http_client=transport({"/v1/chat/completions": (400, OPENAI_ERROR)}, seen),
        )
    )
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="gpt-nope", messages=[{"role": "user", "content": "x"}])
    (line,) = read_requests(path).to_pylist()
    assert (line["status"], line["model"], line["request_id"], line["team"]) == (
        "error",
        "gpt-nope",
        "req_err_1",
        "search",
    )
    assert (line["input_tokens"], line["output_tokens"]) == (0, 0)


def test_threads_append_whole_lines(tmp_path):
    path, seen = tmp_path / "requests.jsonl", []
    client = RequestLogger(path).wrap(
        openai.OpenAI(
            api_key=KEY, base_url="http://test/v1", http_client=transport({"/v1/chat/completions": (200, CHAT)}, seen)
        )
    )

    def call():
        for _ in range(10):
            client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}])

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(read_requests(path)) == 80


def test_only_sdk_clients_are_wrapped(tmp_path):
    with pytest.raises(TypeError, match="wraps openai.OpenAI or anthropic.Anthropic"):
        RequestLogger(tmp_path / "x.jsonl").wrap(object())
