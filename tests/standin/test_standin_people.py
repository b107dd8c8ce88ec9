"""People using a tiny real PTB Application through the stand-in: privacy mode, buttons,
replies, documents, group life, and settle()."""

import asyncio

import pytest
from telegram.error import BadRequest

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(30)]


def kinds(seen) -> list[str]:
    out = []
    for u in seen.updates:
        if u.my_chat_member:
            out.append("my_chat_member:" + u.my_chat_member.new_chat_member.status)
        elif u.callback_query:
            out.append("callback_query")
        elif u.message:
            m = u.message
            out.append(m.text or ("new_chat_members" if m.new_chat_members else "")
                       or ("left_chat_member" if m.left_chat_member else "")
                       or (f"migrate_to:{m.migrate_to_chat_id}" if m.migrate_to_chat_id else "")
                       or (f"migrate_from:{m.migrate_from_chat_id}" if m.migrate_from_chat_id else "")
                       or ("document" if m.document else "?"))
    return out


async def test_deep_link_buttons_and_callback_answers(standin, tiny):
    lan = standin.add_user("Nguyễn Thị Lan", username="lan_hkh")
    sent = await lan.open_link("https://t.me/khoibot_test_bot?start=abc")
    assert sent.text == "/start abc" and lan.started
    hello = lan.private_chat.last_bot_message()
    assert hello.text == "Chào abc" and hello.html == "<b>Chào</b> abc"
    assert hello.buttons == [["Xác nhận", "Huỷ"], ["Trang chủ"]]
    assert await lan.press(hello, "Xác nhận") == "Bạn chọn ok"
    assert hello.text == "Đã chọn ok" and hello.edits == ["Chào abc"] and hello.buttons == []
    # a stale press on the old keyboard, or forged data, still reaches the bot
    assert await lan.press_data(hello, "forged:1") == "Nút này đã hết hạn"
    assert standin.callback_answer(lan.last_query_id)["show_alert"] is True
    assert standin.messages_to(lan) == [hello]


async def test_button_lookup_is_helpful(standin, tiny):
    lan = standin.add_user("Lan")
    await lan.send_private("/start")
    hello = lan.private_chat.last_bot_message()
    with pytest.raises(AssertionError, match="(?s)'Đồng ý' matches no button.*'Xác nhận' \\| 'Huỷ'"):
        await lan.press(hello, "Đồng ý")
    with pytest.raises(AssertionError, match="opens https://example.org/"):
        await lan.press(hello, "Trang")
    assert await lan.press(hello, "Huỷ") == "Bạn chọn cancel"
    with pytest.raises(AssertionError, match="not a Telegram link"):
        await lan.open_link("https://example.org/?start=x")
    with pytest.raises(AssertionError, match="payload"):
        await lan.open_link("https://t.me/khoibot_test_bot?start=có dấu")


async def test_privacy_mode_in_groups(standin, tiny):
    lan, binh = standin.add_user("Lan"), standin.add_user("Bình")
    group = standin.add_group("Khối thi đua", members=[lan, binh], admins=[lan])
    await lan.send(group, "/start trước khi có bot")  # the bot is not in the group yet
    group.add_bot(by=lan)
    await standin.settle()
    await lan.send(group, "chuyện phiếm")
    await lan.send(group, "/start")
    await lan.send(group, "/start@khoibot_test_bot nhóm")
    await lan.send(group, "/start@other_bot")
    await lan.send(group, "nhờ @khoibot_test_bot xem")
    question = group.last_bot_message()
    await binh.reply(question, "trả lời bot")
    await binh.reply(group.messages[1], "trả lời người")  # a reply to a person: not delivered
    assert kinds(tiny) == ["my_chat_member:member", "new_chat_members", "/start",
                           "/start@khoibot_test_bot nhóm", "nhờ @khoibot_test_bot xem", "trả lời bot"]
    assert group.last_bot_message().text == "Đã nhận: trả lời bot"
    assert len([m for m in group.messages if not m.from_bot]) == 9  # everything is in the chat
    # an admin bot gets every message (privacy mode does not apply to admins)
    group.promote_bot(can_pin=False)
    await lan.send(group, "chuyện phiếm nữa")
    assert kinds(tiny)[-2:] == ["my_chat_member:administrator", "chuyện phiếm nữa"]


async def test_force_reply_conversation_in_a_group(standin, tiny):
    lan = standin.add_user("Lan")
    group = standin.add_group("Khối", members=[lan], admins=[lan], with_bot=True)
    mark = standin.mark()
    await lan.send(group, "/ask")
    question = group.last_bot_message()
    assert question.force_reply and question.text == "Tên đơn vị?"
    await lan.reply(question, "  Hội Khuyến học\nHội Nhà báo \n")
    assert [m.text for m in standin.sent_since(mark)] == [
        "Tên đơn vị?", "Đã nhận: Hội Khuyến học\nHội Nhà báo"]


async def test_documents_both_ways(standin, tiny):
    lan = standin.add_user("Lan")
    await lan.send_document(lan.private_chat, "baocao.pdf", b"%PDF-1.7 ...", caption="Báo cáo")
    back = lan.private_chat.last_bot_message()
    assert back.document == ("lai_baocao.pdf", b"%PDF-1.7 ...") and back.caption == "12 byte"
    assert back.file.mime_type == "application/pdf"


async def test_pinning_and_group_life(standin, tiny):
    lan, binh = standin.add_user("Lan"), standin.add_user("Bình")
    group = standin.add_group("Khối", members=[lan], admins=[lan])
    group.add_bot(by=lan)
    await lan.send(group, "/pinme")
    assert isinstance(tiny.errors[-1], BadRequest) and "not enough rights" in str(tiny.errors[-1]).lower()
    assert group.pinned is None
    group.promote_bot(can_pin=True)
    await lan.send(group, "/pinme")
    assert group.pinned.text == "Ghim tin này"
    group.add_member(binh, by=lan)
    binh.leave(group)
    group.remove_bot(by=lan)
    await standin.settle()
    assert kinds(tiny)[-6:] == ["my_chat_member:administrator", "/pinme", "new_chat_members",
                                "left_chat_member", "left_chat_member", "my_chat_member:kicked"]
    with pytest.raises(AssertionError, match="not a member"):
        await binh.send(group, "/start")


async def test_migration_is_seen_from_both_sides(standin, tiny):
    lan = standin.add_user("Lan")
    group = standin.add_group("Khối", members=[lan], admins=[lan], with_bot=True)
    old_id = group.id
    group.migrate_to_supergroup(by=lan)
    await standin.settle()
    assert kinds(tiny)[-2:] == [f"migrate_to:{group.id}", f"migrate_from:{old_id}"]
    await lan.send(group, "/start")
    assert group.last_bot_message().chat.id == group.id and group.type == "supergroup"
    with pytest.raises(AssertionError, match="upgraded to supergroup"):
        await lan.send(group.previous, "/start")


async def test_blocking_and_coming_back(standin, tiny):
    lan = standin.add_user("Lan")
    await lan.send_private("/start")
    lan.block_bot()
    await standin.settle()
    assert tiny.updates[-1].my_chat_member.new_chat_member.status == "kicked"
    await lan.send_private("/start lại")
    assert kinds(tiny)[-2:] == ["my_chat_member:member", "/start lại"]
    assert lan.private_chat.last_bot_message().text == "Chào lại"


async def test_settle_reports_what_is_pending(standin):
    standin.settle_timeout = 0.3
    lan = standin.add_user("Lan")
    with pytest.raises(AssertionError, match="1 update\\(s\\) not yet confirmed.*is the bot polling"):
        await lan.send_private("/start")
    assert len(standin.pending_updates()) == 1


async def test_settle_waits_for_the_idle_probe(standin, tiny):
    busy = {"until": asyncio.get_running_loop().time() + 0.2}
    standin.idle_probe = lambda: asyncio.get_running_loop().time() >= busy["until"]
    started = asyncio.get_running_loop().time()
    await standin.settle()
    assert asyncio.get_running_loop().time() - started >= 0.2
    standin.idle_probe = lambda: False
    with pytest.raises(AssertionError, match="idle_probe"):
        await standin.settle(timeout=0.1)


async def test_listeners_hear_each_call_that_touches_a_chat(standin, tiny):
    heard = []
    stop = standin.listen(heard.append)
    lan = standin.add_user("Nguyễn Thị Lan", username="lan_hkh")
    await lan.open_link("https://t.me/khoibot_test_bot?start=abc")
    hello = lan.private_chat.last_bot_message()
    await lan.press(hello, "Xác nhận")
    stop()
    calls = [(c.method, c.chat_id, c.message_id) for c in heard]
    assert calls == [("sendMessage", lan.id, hello.message_id),
                     ("answerCallbackQuery", lan.id, hello.message_id),
                     ("editMessageText", lan.id, hello.message_id)]
    assert heard[1].query_id == lan.last_query_id
    assert heard[0].at <= heard[1].at <= heard[2].at
    await lan.press_data(hello, "forged:1")
    assert len(heard) == 3  # no longer listening
