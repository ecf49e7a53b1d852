"""Tokens never reach the logs."""

from __future__ import annotations

from web.logs import redact_tokens


def test_token_query_parameters_are_redacted_everywhere_in_a_record() -> None:
    record = {
        "event": '127.0.0.1:5 - "GET /api/w?q=x&token=s3cr3t.sig HTTP/1.1" 200',
        "path": "/collab/w1?token=abc",
        "count": 3,
    }
    redacted = redact_tokens(None, "info", record)
    assert redacted["event"] == '127.0.0.1:5 - "GET /api/w?q=x&token=[redacted] HTTP/1.1" 200'
    assert redacted["path"] == "/collab/w1?token=[redacted]"
    assert redacted["count"] == 3
    assert "s3cr3t" not in str(redacted)


def test_a_token_parameter_is_known_by_its_decoded_name() -> None:
    record = {
        "event": '127.0.0.1:5 - "GET /admin?%74oken=s3cr3t.sig&refresh=10 HTTP/1.1" 303',
        "path": "/collab/w1?TOK%45N=abc&x=tokenish",
        "query": "/workshops/w1?q=token%3Dnot-a-token",
    }
    redacted = redact_tokens(None, "info", record)
    assert redacted["event"] == (
        '127.0.0.1:5 - "GET /admin?%74oken=[redacted]&refresh=10 HTTP/1.1" 303'
    )
    assert redacted["path"] == "/collab/w1?TOK%45N=[redacted]&x=tokenish"
    assert redacted["query"] == "/workshops/w1?q=token%3Dnot-a-token"
