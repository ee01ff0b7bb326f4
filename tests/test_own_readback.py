"""The read-back before 确认提交 and the conversation kept for a reloaded page.

On their own conversation the citizen reads back what they gave, so they can check it: only the ID
number's middle digits stay masked. Everywhere else the answers stay masked: the analytics turn log, an
agent going on with the session (代办 from /copilot), the stored session. The conversation so far is
kept encrypted with the session, to be shown again after a reload.
"""

from __future__ import annotations

from sqlalchemy import select

from assistant.dialogue.states import State
from assistant.storage.db import open_database, reading
from assistant.storage.personal_tables import SessionRow, TurnEventRow

ID = "110101199003074514"
ID_SHOWN = "110101********4514"
PHONE = "13800138000"
ADDRESS = "广东省广州市天河区天河路385号"
NAME = "张三"
OPENING = f"我叫{NAME}，身份证{ID}，电话{PHONE}"


def to_readback(assistant, channel: str = "text"):
    """A social security card to be posted: every answer given, up to the read-back."""
    session = assistant.new_session()
    for text in ("我想第一次办张社保卡", "同意", OPENING, "邮寄到家", ADDRESS, "都有了"):
        turn = assistant.handle(session, text, channel=channel)
    assert turn.state is State.confirming, turn.reply
    return session, turn


def stored_rows(settings, row):
    with reading(open_database(settings.resolved_database_url)) as db:
        return list(db.scalars(select(row)))


def test_the_citizen_reads_back_their_own_answers_with_only_the_id_numbers_middle_masked(assistant):
    _, turn = to_readback(assistant)
    for shown in (NAME, PHONE, ADDRESS, ID_SHOWN):
        assert shown in turn.reply
    assert ID not in turn.reply
    assert {v.key: v.value for v in turn.readback} == {
        "applicant_name": NAME, "applicant_id_number": ID_SHOWN, "phone": PHONE, "pickup_method": "邮寄到家",
        "address": ADDRESS, "materials_check": "都有了",
    }
    # The form panel's values stay masked as before: only the read-back is the citizen's own.
    assert {v.key: v.value for v in turn.slots}["address"] == "广东省广州市天河区****"
    # Read aloud, the read-back is masked: whoever stands near hears it.
    assert NAME not in turn.speech and PHONE not in turn.speech


def test_the_turn_log_and_the_stored_session_keep_the_read_back_masked(assistant, dialogue_settings):
    _session, _turn = to_readback(assistant)
    readback = [e for e in stored_rows(dialogue_settings, TurnEventRow) if e.state_after == "confirming"][-1]
    assert "张*" in readback.reply_masked and "138****8000" in readback.reply_masked
    assert "广东省广州市天河区****" in readback.reply_masked and ID_SHOWN in readback.reply_masked
    for plain in (NAME, PHONE, ADDRESS, "天河路385号", ID):
        assert plain not in readback.reply_masked
    (row,) = stored_rows(dialogue_settings, SessionRow)
    for plain in (NAME, PHONE, "天河路385号", ID, "请核对", "社保卡"):  # neither values nor the transcript in clear
        assert plain not in row.state_json


def test_an_agent_going_on_with_a_session_reads_the_answers_back_masked(assistant):
    _, turn = to_readback(assistant, channel="copilot")
    assert "张*" in turn.reply and "138****8000" in turn.reply and "广东省广州市天河区****" in turn.reply
    assert NAME not in turn.reply and PHONE not in turn.reply and turn.readback == []


def test_the_conversation_so_far_comes_back_as_its_owner_saw_it(assistant):
    session = assistant.new_session()
    said = ["我想第一次办张社保卡", "同意", OPENING]
    replies = [assistant.handle(session, text).reply for text in said]
    kept = assistant.conversation(session)
    assert [(line.role, line.text) for line in kept.lines] == [
        pair for text, reply in zip(said, replies) for pair in (("user", text), ("assistant", reply))
    ]
    last = assistant.handle(session, "邮寄到家")  # where it stands now: the question, its form, its quick replies
    again = assistant.conversation(session).turn
    assert (again.state, again.reply, again.suggestions, again.asking) == (State.filling, last.reply, last.suggestions, "address")
    assert again.slots == last.slots and again.missing == last.missing
    assert assistant.conversation(assistant.new_session()) is None


def test_the_conversation_so_far_shows_the_read_back_as_the_citizen_saw_it(assistant):
    session, turn = to_readback(assistant)
    kept = assistant.conversation(session)
    assert kept.lines[-1].text == turn.reply and NAME in kept.lines[-1].text
    assert kept.turn.readback == turn.readback and kept.turn.suggestions == turn.suggestions


def test_a_long_conversation_keeps_its_latest_lines(assistant):
    from assistant.dialogue.session import TRANSCRIPT_KEPT

    session = assistant.new_session()
    for n in range(TRANSCRIPT_KEPT // 2 + 5):
        assistant.handle(session, f"你好{n}")
    lines = assistant.conversation(session).lines
    assert len(lines) == TRANSCRIPT_KEPT and lines[-2].text == f"你好{TRANSCRIPT_KEPT // 2 + 4}"


def test_a_conversation_handed_to_a_person_is_kept_without_empty_replies(assistant):
    session = assistant.new_session()
    for text in ("我想第一次办张社保卡", "转人工", "喂？有人吗"):
        turn = assistant.handle(session, text)
    assert turn.state is State.handoff
    kept = assistant.conversation(session)
    assert all(line.text for line in kept.lines)
    assert [line.text for line in kept.lines if line.role == "user"] == ["我想第一次办张社保卡", "转人工", "喂？有人吗"]
    assert kept.turn.state is State.handoff  # the page goes on asking the handoff's feed for the agent's messages
