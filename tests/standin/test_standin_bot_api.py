"""The Bot API as a real telegram.Bot sees it: answers, long polling and every strictness rule."""

import asyncio
import json

import aiohttp
import pytest
from telegram import (
    BotCommand, BotCommandScopeAllChatAdministrators, BotCommandScopeAllPrivateChats,
    BotCommandScopeChat, ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity,
    ReplyKeyboardRemove, ReplyParameters,
)
from telegram.error import BadRequest, ChatMigrated, Conflict, Forbidden, InvalidToken

from standin_kit import TOKEN, make_bot, started_user

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(30)]


def says(excinfo, expected: str) -> None:
    """PTB strips "Bad Request: " and capitalises the rest; compare case-insensitively."""
    assert excinfo.value.message.lower() == expected.lower(), excinfo.value.message


def ok_button(text="OK", data="ok"):
    return InlineKeyboardMarkup([[InlineKeyboardButton(text, callback_data=data)]])


# ================================================================ plumbing
async def test_get_me_and_bot_identity(standin, bot):
    me = await bot.get_me()
    assert (me.id, me.username, me.first_name, me.is_bot) == (123456, "khoibot_test_bot", "Khối bot", True)
    assert me.can_read_all_group_messages is False  # privacy mode
    assert standin.bot_id == 123456


async def test_wrong_token_unknown_method_and_raw_http(standin):
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{standin.base_url}123456:wrong/getMe") as r:
            assert r.status == 401
            assert await r.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        async with http.post(f"{standin.base_url}{TOKEN}/sendSticker", json={}) as r:
            assert (r.status, (await r.json())["description"]) == (404, "Not Found")
        # method names are case-insensitive, JSON bodies work, query strings too
        async with http.post(f"{standin.base_url}{TOKEN}/GETME", json={}) as r:
            assert (await r.json())["result"]["username"] == "khoibot_test_bot"
        async with http.get(f"{standin.base_url}{TOKEN}/sendMessage?chat_id=42&text=hi") as r:
            assert await r.json() == {"ok": False, "error_code": 400,
                                      "description": "Bad Request: chat not found"}
    wrong = make_bot(standin, token="123456:wrong")
    with pytest.raises(InvalidToken):
        await wrong.initialize()


async def test_long_polling_waits_and_offset_confirms(standin, bot, alice):
    # nothing queued: the poll is held until a message arrives
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    assert not poll.done()
    await alice.send_private("một", settle=False)
    first = await asyncio.wait_for(poll, 2)
    assert [u.message.text for u in first] == ["một"]
    # not confirmed yet: the same update comes again
    await alice.send_private("hai", settle=False)
    again = await bot.get_updates(timeout=0)
    assert [u.message.text for u in again] == ["một", "hai"]
    assert len(standin.pending_updates()) == 2
    # offset confirms and drops everything before it
    rest = await bot.get_updates(offset=first[0].update_id + 1, timeout=0)
    assert [u.message.text for u in rest] == ["hai"]
    done = await bot.get_updates(offset=rest[-1].update_id + 1, timeout=0)
    assert done == () and standin.pending_updates() == []
    # limit and an empty wait that times out
    for word in ("a", "b", "c"):
        await alice.send_private(word, settle=False)
    assert [u.message.text for u in await bot.get_updates(limit=2)] == ["a", "b"]
    started = asyncio.get_running_loop().time()
    last = (await bot.get_updates())[-1].update_id
    assert await bot.get_updates(offset=last + 1, timeout=1) == ()
    assert asyncio.get_running_loop().time() - started >= 0.9


async def test_allowed_updates_filters_and_a_second_poller_conflicts(standin, bot, alice):
    await bot.get_updates(allowed_updates=["callback_query"])
    await alice.send_private("ignored", settle=False)  # dropped: not an allowed type
    assert standin.pending_updates() == []
    await bot.get_updates(allowed_updates=[])  # back to the default set
    older = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    newer = asyncio.create_task(bot.get_updates(timeout=1))
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await older
    assert await newer == ()


async def test_webhook_blocks_polling_until_deleted(standin, bot):
    assert await bot.set_webhook("http://127.0.0.1:9/hook")  # nothing queued: never contacted
    assert (await bot.get_webhook_info()).url == "http://127.0.0.1:9/hook"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()
    assert await bot.log_out() and await bot.close()


# ================================================================ sending
async def test_send_message_with_markup_reply_and_options(standin, bot, alice):
    first = await bot.send_message(alice.id, "<b>Chào</b> Lan", parse_mode="HTML", reply_markup=ok_button(),
                                   protect_content=True, disable_notification=True)
    assert first.text == "Chào Lan" and first.entities[0].type == MessageEntity.BOLD
    assert first.reply_markup.inline_keyboard[0][0].callback_data == "ok"
    assert first.has_protected_content
    reply = await bot.send_message(alice.id, "trả lời", reply_parameters=ReplyParameters(first.message_id),
                                   reply_markup=ForceReply(input_field_placeholder="Tên đơn vị"))
    assert reply.reply_to_message.message_id == first.message_id
    gone = await bot.send_message(alice.id, "x", reply_markup=ReplyKeyboardRemove())
    sim = alice.private_chat
    assert [m.text for m in sim.bot_messages()] == ["Chào Lan", "trả lời", "x"]
    assert sim.get(first.message_id).html == "<b>Chào</b> Lan"
    assert sim.get(first.message_id).buttons == [["OK"]]
    assert sim.get(reply.message_id).force_reply and sim.get(reply.message_id).reply_to.text == "Chào Lan"
    assert sim.get(gone.message_id).reply_markup == {"remove_keyboard": True}
    with pytest.raises(BadRequest) as e:
        await bot.send_message(alice.id, "x", reply_parameters=ReplyParameters(999))
    says(e, "message to be replied not found")
    lenient = await bot.send_message(alice.id, "x", reply_parameters=ReplyParameters(
        999, allow_sending_without_reply=True))
    assert lenient.reply_to_message is None


async def test_text_is_trimmed_and_gets_automatic_entities(bot, alice):
    m = await bot.send_message(alice.id, "\n  Xem https://example.org/a và /start  \n")
    assert m.text == "Xem https://example.org/a và /start"
    assert [e.type for e in m.entities] == ["url", "bot_command"]


async def test_empty_text(bot, alice):
    for text in ("", "   \n "):
        with pytest.raises(BadRequest) as e:
            await bot.send_message(alice.id, text)
        says(e, "message text is empty")


async def test_text_length_counts_utf16_after_parsing(bot, alice):
    await bot.send_message(alice.id, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")  # tags don't count
    await bot.send_message(alice.id, "🏆" * 2048)  # 4096 UTF-16 units
    with pytest.raises(BadRequest) as e:
        await bot.send_message(alice.id, "🏆" * 2048 + "a")
    says(e, "message is too long")


@pytest.mark.parametrize("html, reason", [
    ("<b>đậm", "Can't find end tag corresponding to start tag b"),
    ("<b>x <i>y</b></i>", 'Unmatched end tag at byte offset 9, expected "</i>", found "</b>"'),
    ("<p>đoạn</p>", 'Unsupported start tag "p" at byte offset 0'),
    ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
    ("Hội A & B", 'Character "&" must be escaped as "&amp;" at byte offset 8'),
    ("a&nbsp;b", 'Unsupported HTML entity "&nbsp;" at byte offset 1'),
    ('<b style="x">y</b>', 'Unsupported attribute "style" in the tag "b" at byte offset 0'),
])
async def test_malformed_html(bot, alice, html, reason):
    with pytest.raises(BadRequest) as e:
        await bot.send_message(alice.id, html, parse_mode="HTML")
    says(e, "can't parse entities: " + reason)


async def test_more_than_100_entities_are_dropped_with_a_warning(standin, bot, alice):
    m = await bot.send_message(alice.id, " ".join(["<b>x</b>"] * 105), parse_mode="HTML")
    assert len(m.entities) == 100
    assert "silently drops 5" in standin.warnings[-1]


async def test_explicit_entities(bot, alice):
    m = await bot.send_message(alice.id, "Khối thi đua", entities=[MessageEntity("italic", 0, 4)])
    assert m.entities == (MessageEntity("italic", 0, 4),)


async def test_callback_data_too_long_or_empty(bot, alice):
    with pytest.raises(BadRequest) as e:
        await bot.send_message(alice.id, "x", reply_markup=ok_button(data="đ" * 33))  # 66 bytes
    says(e, "BUTTON_DATA_INVALID")
    await bot.send_message(alice.id, "x", reply_markup=ok_button(data="đ" * 32))  # 64 bytes: fine
    with pytest.raises(BadRequest) as e:
        await bot.send_message(alice.id, "x", reply_markup={"inline_keyboard": [[{"text": "a", "callback_data": ""}]]})
    says(e, "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")


async def test_inline_button_needs_exactly_one_action(bot, alice):
    with pytest.raises(BadRequest, match="(?i)Text buttons are unallowed"):
        await bot.send_message(alice.id, "x", reply_markup={"inline_keyboard": [[{"text": "a"}]]})
    both = {"inline_keyboard": [[{"text": "a", "callback_data": "a", "url": "https://x.org"}]]}
    with pytest.raises(BadRequest, match="exactly one of the optional fields"):
        await bot.send_message(alice.id, "x", reply_markup=both)


async def test_url_buttons_must_be_http_or_tg(bot, alice):
    for url in ("https://t.me/khoibot_test_bot?start=x", "tg://resolve?domain=x"):
        await bot.send_message(alice.id, "x", reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("a", url=url)]]))
    with pytest.raises(BadRequest) as e:
        await bot.send_message(alice.id, "x", reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("a", url="ftp://example.org")]]))
    says(e, "inline keyboard button URL 'ftp://example.org' is invalid: Unsupported URL protocol")


async def test_at_most_100_buttons(bot, alice):
    rows = [[InlineKeyboardButton(str(i * 10 + j), callback_data=f"{i}:{j}") for j in range(10)]
            for i in range(10)]
    await bot.send_message(alice.id, "100", reply_markup=InlineKeyboardMarkup(rows))
    rows.append([InlineKeyboardButton("101", callback_data="x")])
    with pytest.raises(BadRequest) as e:
        await bot.send_message(alice.id, "101", reply_markup=InlineKeyboardMarkup(rows))
    says(e, "REPLY_MARKUP_TOO_LONG")


async def test_unsupported_parse_mode_is_loud(bot, alice):
    with pytest.raises(BadRequest, match="(?i)only parse_mode HTML"):
        await bot.send_message(alice.id, "*x*", parse_mode="MarkdownV2")


# ================================================================ who may be written to
async def test_user_who_never_started_and_unknown_chat(standin, bot, group):
    stranger = standin.add_user("Lê Văn Minh")
    with pytest.raises(Forbidden) as e:
        await bot.send_message(stranger.id, "chào")
    assert e.value.message == "Forbidden: bot can't initiate conversation with a user"
    stranger.private_chat  # noqa: B018 - opening the chat object does not start the bot
    with pytest.raises(Forbidden):
        await bot.send_message(stranger.id, "chào")
    with pytest.raises(BadRequest) as e:
        await bot.send_message(-987654, "chào")
    says(e, "chat not found")


async def test_user_who_blocked_the_bot(standin, bot, alice):
    await bot.send_message(alice.id, "trước")
    alice.block_bot()
    with pytest.raises(Forbidden) as e:
        await bot.send_message(alice.id, "sau")
    assert e.value.message == "Forbidden: bot was blocked by the user"
    kinds = [next(k for k in u if k != "update_id") for u in standin.pending_updates()]
    assert kinds[-1] == "my_chat_member"
    await alice.send_private("/start", settle=False)  # writing again unblocks (the app's "Restart")
    await bot.send_message(alice.id, "lại")


async def test_group_the_bot_was_removed_from_or_left(standin, bot, alice, group):
    await bot.send_message(group.id, "xin chào nhóm")
    group.remove_bot(by=alice)
    with pytest.raises(Forbidden) as e:
        await bot.send_message(group.id, "còn đó không?")
    assert e.value.message == "Forbidden: bot was kicked from the group chat"
    other = standin.add_group("Nhóm khác", members=[alice], admins=[alice])
    with pytest.raises(BadRequest, match="(?i)chat not found"):  # never was a member
        await bot.send_message(other.id, "x")
    other.add_bot(by=alice)
    assert await bot.leave_chat(other.id)
    with pytest.raises(Forbidden) as e:
        await bot.send_message(other.id, "x")
    assert e.value.message == "Forbidden: bot is not a member of the group chat"


async def test_migrated_group_answers_with_the_new_id(standin, bot, alice, group):
    old_id = group.id
    group.migrate_to_supergroup()
    assert group.type == "supergroup" and str(group.id).startswith("-100")
    with pytest.raises(ChatMigrated) as e:
        await bot.send_message(old_id, "x")
    assert e.value.new_chat_id == group.id
    sent = await bot.send_message(e.value.new_chat_id, "theo sang")
    assert sent.chat.type == "supergroup" and group.last_bot_message().text == "theo sang"
    assert group.previous.id == old_id and group.previous.messages[-1].service == {"migrate_to_chat_id": group.id}


# ================================================================ editing, deleting, pinning
async def test_edits(bot, alice):
    m = await bot.send_message(alice.id, "Bản nháp", reply_markup=ok_button())
    with pytest.raises(BadRequest) as e:
        await bot.edit_message_text("Bản nháp", alice.id, m.message_id, reply_markup=ok_button())
    says(e, "message is not modified: specified new message content and reply markup are exactly "
            "the same as a current content and reply markup of the message")
    edited = await bot.edit_message_text("<i>Bản chính</i>", alice.id, m.message_id, parse_mode="HTML",
                                         reply_markup=ok_button())
    assert edited.text == "Bản chính" and edited.edit_date is not None
    sim = alice.private_chat.get(m.message_id)
    assert sim.edits == ["Bản nháp"] and sim.html == "<i>Bản chính</i>"
    # editing the text without reply_markup removes the keyboard, as on Telegram
    await bot.edit_message_text("Bản chính", alice.id, m.message_id)
    assert sim.buttons == []
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_reply_markup(alice.id, m.message_id)
    await bot.edit_message_reply_markup(alice.id, m.message_id, reply_markup=ok_button("Lại"))
    assert sim.buttons == [["Lại"]]
    with pytest.raises(BadRequest) as e:
        await bot.edit_message_text("x", alice.id, 9999)
    says(e, "message to edit not found")
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await bot.edit_message_text("", alice.id, m.message_id)


async def test_delete(bot, alice, group):
    m = await bot.send_message(alice.id, "xoá tôi")
    assert await bot.delete_message(alice.id, m.message_id)
    assert alice.private_chat.get(m.message_id).deleted and alice.private_chat.bot_messages() == []
    with pytest.raises(BadRequest) as e:
        await bot.delete_message(alice.id, m.message_id)
    says(e, "message to delete not found")
    users_message = await alice.send(group, "/khoi", settle=False)
    with pytest.raises(BadRequest, match="(?i)message can't be deleted"):  # not an admin there
        await bot.delete_message(group.id, users_message.message_id)


async def test_pinning_needs_rights_in_groups(standin, bot, alice, group):
    private = await bot.send_message(alice.id, "ghim")
    assert await bot.pin_chat_message(alice.id, private.message_id)  # private chats: allowed
    assert alice.private_chat.pinned.text == "ghim"
    m = await bot.send_message(group.id, "ghim nhóm")
    with pytest.raises(BadRequest) as e:
        await bot.pin_chat_message(group.id, m.message_id)
    says(e, "not enough rights to manage pinned messages in the chat")
    group.promote_bot(can_pin=False)
    with pytest.raises(BadRequest, match="(?i)not enough rights"):
        await bot.pin_chat_message(group.id, m.message_id)
    group.promote_bot(can_pin=True)
    assert await bot.pin_chat_message(group.id, m.message_id)
    assert group.pinned is group.get(m.message_id)
    assert (await bot.get_chat(group.id)).pinned_message.message_id == m.message_id
    assert await bot.unpin_chat_message(group.id)
    assert group.pinned is None
    await bot.pin_chat_message(group.id, m.message_id)
    assert await bot.unpin_all_chat_messages(group.id) and group.pinned is None


# ================================================================ callback queries
async def test_answer_callback_query(standin, bot, alice):
    m = await bot.send_message(alice.id, "Chọn", reply_markup=ok_button("Xác nhận", "ok"))
    await alice.press(alice.private_chat.get(m.message_id), "Xác nhận", settle=False)
    updates = await bot.get_updates()
    query = updates[-1].callback_query
    assert (query.data, query.from_user.id, query.message.message_id) == ("ok", alice.id, m.message_id)
    with pytest.raises(BadRequest) as e:
        await bot.answer_callback_query(query.id, "x" * 201)
    says(e, "MESSAGE_TOO_LONG")
    assert await bot.answer_callback_query(query.id, "Đã ghi nhận", show_alert=True)
    assert standin.callback_answer(query.id)["show_alert"] is True
    with pytest.raises(BadRequest) as e:
        await bot.answer_callback_query(query.id)
    says(e, "query is too old and response timeout expired or query ID is invalid")
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query("123")


# ================================================================ documents
async def test_document_upload_download_and_resend(standin, bot, alice):
    content = "Báo cáo thi đua\n".encode() * 100
    sent = await bot.send_document(alice.id, content, filename="báo_cáo.txt",
                                   caption="<b>Báo cáo</b> quý I", parse_mode="HTML")
    doc = sent.document
    assert (doc.file_name, doc.file_size, doc.mime_type) == ("báo_cáo.txt", len(content), "text/plain")
    assert sent.caption == "Báo cáo quý I" and sent.caption_entities[0].type == "bold"
    assert alice.private_chat.last_bot_message().document == ("báo_cáo.txt", content)
    f = await bot.get_file(doc.file_id)
    assert bytes(await f.download_as_bytearray()) == content
    again = await bot.send_document(alice.id, doc.file_id)
    assert again.document.file_id == doc.file_id
    with pytest.raises(BadRequest, match="(?i)wrong file identifier"):
        await bot.send_document(alice.id, "no-such-file-id")
    with pytest.raises(BadRequest) as e:
        await bot.send_document(alice.id, b"x", filename="a.txt", caption="c" * 1025)
    says(e, "message caption is too long")
    with pytest.raises(BadRequest, match="(?i)wrong file_id"):
        await bot.get_file("nope")


async def test_the_bot_downloads_what_a_user_sent(bot, alice):
    await alice.send_document(alice.private_chat, "danh_sach.xlsx", b"PK\x03\x04 data", settle=False)
    update = (await bot.get_updates())[-1]
    f = await update.message.document.get_file()
    assert bytes(await f.download_as_bytearray()) == b"PK\x03\x04 data"
    assert update.message.document.file_name == "danh_sach.xlsx"


# ================================================================ commands, menu, chat info
async def test_commands_per_scope_and_language(standin, bot, alice, group):
    private = [BotCommand("start", "Bắt đầu"), BotCommand("huongdan", "Hướng dẫn")]
    admins = [BotCommand("moi", "Mời đơn vị")]
    assert await bot.set_my_commands(private, scope=BotCommandScopeAllPrivateChats(), language_code="vi")
    assert await bot.set_my_commands(admins, scope=BotCommandScopeAllChatAdministrators(), language_code="vi")
    assert await bot.set_my_commands([BotCommand("khoi", "Lập khối")], scope=BotCommandScopeChat(group.id))
    assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats(),
                                                         language_code="vi")] == ["start", "huongdan"]
    assert await bot.get_my_commands() == ()  # exact scope+language only
    menus = standin.commands
    assert [c["command"] for c in menus[("all_chat_administrators", "vi")]] == ["moi"]
    assert menus[(("chat", group.id), "")] == [{"command": "khoi", "description": "Lập khối"}]
    assert [c["command"] for c in standin.commands_seen_by(alice)] == ["start", "huongdan"]
    assert [c["command"] for c in standin.commands_seen_by(alice, group)] == ["khoi"]
    assert await bot.delete_my_commands(scope=BotCommandScopeAllPrivateChats(), language_code="vi")
    assert standin.commands_for("all_private_chats", "vi") == []
    assert await bot.set_chat_menu_button()


@pytest.mark.parametrize("command, description, error", [
    ("Start", "ok", "BOT_COMMAND_INVALID"),
    ("/start", "ok", "BOT_COMMAND_INVALID"),
    ("a" * 33, "ok", "BOT_COMMAND_INVALID"),
    ("start", "", "BOT_COMMAND_DESCRIPTION_INVALID"),
    ("start", "d" * 257, "BOT_COMMAND_DESCRIPTION_INVALID"),
])
async def test_invalid_commands(bot, command, description, error):
    with pytest.raises(BadRequest) as e:
        await bot.set_my_commands([BotCommand(command, description)])
    says(e, error)


async def test_too_many_commands(bot):
    await bot.set_my_commands([BotCommand(f"c{i}", "d") for i in range(100)])
    with pytest.raises(BadRequest) as e:
        await bot.set_my_commands([BotCommand(f"c{i}", "d") for i in range(101)])
    says(e, "BOT_COMMANDS_TOO_MUCH")


async def test_chat_information(standin, bot, alice, group):
    bob = next(u for u in group.users.values() if u is not alice)
    chat = await bot.get_chat(group.id)
    assert (chat.type, chat.title) == ("group", "Khối thi đua các Tổ chức xã hội")
    assert (await bot.get_chat(alice.id)).first_name == "Nguyễn Thị Lan"
    assert (await bot.get_chat_member(group.id, alice.id)).status == "creator"
    assert (await bot.get_chat_member(group.id, bob.id)).status == "member"
    assert (await bot.get_chat_member(group.id, bot.id)).status == "member"
    outsider = standin.add_user("Người ngoài")
    assert (await bot.get_chat_member(group.id, outsider.id)).status == "left"
    group.make_admin(bob)
    group.promote_bot(can_pin=True)
    admins = await bot.get_chat_administrators(group.id)
    assert {a.user.id for a in admins} == {alice.id, bob.id, bot.id}
    assert next(a for a in admins if a.user.id == bot.id).can_pin_messages
    assert await bot.get_chat_member_count(group.id) == 3
    group.remove_admin(bob)
    assert (await bot.get_chat_member(group.id, bob.id)).status == "member"
    with pytest.raises(BadRequest, match="(?i)no administrators in the private chat"):
        await bot.get_chat_administrators(alice.id)
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.get_chat(outsider.id)
    assert await bot.send_chat_action(alice.id, "typing")


async def test_form_encoding_as_ptb_sends_it(standin):
    """PTB sends form fields with JSON-encoded non-string values; check the parsing directly."""
    alice = started_user(standin, "A")
    async with aiohttp.ClientSession() as http:
        form = {"chat_id": str(alice.id), "text": '{"not": "json"}',
                "reply_markup": json.dumps({"inline_keyboard": [[{"text": "a", "callback_data": "1"}]]}),
                "disable_notification": "true"}
        async with http.post(f"{standin.base_url}{TOKEN}/sendmessage", data=form) as r:
            body = await r.json()
    assert body["ok"] and body["result"]["text"] == '{"not": "json"}'
    assert alice.private_chat.last_bot_message().disable_notification


async def test_caption_edits_chat_actions_and_webhook_checks(bot, alice):
    sent = await bot.send_document(alice.id, b"data", filename="a.txt", caption="cũ")
    edited = await bot.edit_message_caption(alice.id, sent.message_id, caption="<i>mới</i>", parse_mode="HTML")
    assert edited.caption == "mới" and alice.private_chat.get(sent.message_id).edits == ["cũ"]
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_caption(alice.id, sent.message_id, caption="<i>mới</i>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)there is no text in the message to edit"):
        await bot.edit_message_text("x", alice.id, sent.message_id)
    with pytest.raises(BadRequest, match="(?i)wrong parameter action"):
        await bot.send_chat_action(alice.id, "dancing")
    with pytest.raises(BadRequest, match="(?i)bad webhook: the stand-in delivers only to"):
        await bot.set_webhook("http://example.org/hook")
