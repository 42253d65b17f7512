"""Privacy in Telegram: ``/hapus_data`` (a person deletes their own data) and the retention job.

``/hapus_data`` (alias ``/delete_my_data``, private chats only) asks first, with "Ya, hapus" /
"Batal" buttons. The buttons carry a nonce that is also kept in the person's ``user_data``: a
button pressed twice, after a restart or after the data is gone finds no matching nonce and is
answered as outdated, so one confirmation deletes once. Confirming deletes what
``bot.storage.privacy.delete_person`` deletes, with the write-behind question log held so no
queued question of theirs is written afterwards, then drops their ``user_data`` / ``chat_data``
(profile step in progress, broadcast draft, last answer) and, for a coordinator, their chat-scoped
command menu. Nothing is registered by the command itself: asking to delete stores nothing new.

Retention: ``start_retention`` (from ``post_init``) schedules ``prune_questions`` on PTB's JobQueue
once at start-up and then every ``PRUNE_INTERVAL_S`` (6 hours) while the bot runs. The JobQueue
stops with the Application, before ``post_shutdown`` closes the database; a run in progress then
stops after its current batch (the rest goes at the next start).
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from typing import cast

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot.storage import privacy, users
from bot.storage.privacy import Deleted
from bot.telegram import keyboards
from bot.telegram.menus import set_coordinator_menu
from bot.telegram.presses import pressed
from bot.telegram.render import esc
from bot.telegram.services import Services, services

log = logging.getLogger(__name__)

CONFIRMATION = "delete_data_nonce"  # user_data key: the nonce of the confirmation buttons shown
PRUNE_INTERVAL_S = 6 * 3600.0  # seconds between retention runs while the bot runs
RETENTION_JOB = "question-retention"


# --- /hapus_data ----------------------------------------------------------------------------


async def delete_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/hapus_data: say what would be deleted and ask with buttons."""
    s = services(context)
    user, message, chat = update.effective_user, update.effective_message, update.effective_chat
    if user is None or message is None or context.user_data is None:
        return
    if chat is not None and chat.type != ChatType.PRIVATE:
        await message.reply_html(esc(s.text("tg_delete_private_only")))
        return
    stored = await users.get_user(s.db, user.id)  # only read: asking to delete stores nothing
    nonce = secrets.token_hex(4)
    context.user_data[CONFIRMATION] = nonce
    lines = [s.text("tg_delete_confirm")]
    if stored is not None and stored.coordinator:
        lines.append(s.text("tg_delete_confirm_coordinator"))
    markup = keyboards.delete_data_keyboard(
        s.version, nonce, s.text("tg_delete_button_yes"), s.text("tg_delete_button_no")
    )
    await message.reply_html(esc("\n".join(lines)), reply_markup=markup)


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ "Ya, hapus" or "Batal" under the /hapus_data question (``d|ok|nonce`` / ``d|no|nonce``)."""
    s = services(context)
    query, user = update.callback_query, update.effective_user
    if query is None:
        return
    args, message = pressed(update)
    expected = context.user_data.get(CONFIRMATION) if context.user_data is not None else None
    valid = len(args) == 2 and args[0] in ("ok", "no") and expected is not None and args[1] == expected
    if user is None or message is None or not valid:
        await query.answer(s.text("tg_delete_stale"), show_alert=True)
        if message is not None:
            with contextlib.suppress(TelegramError):
                await message.edit_reply_markup(None)
        return
    assert context.user_data is not None
    context.user_data.pop(CONFIRMATION, None)  # before any await: a double press deletes once
    await query.answer()
    with contextlib.suppress(TelegramError):  # the question is answered: its buttons go
        await message.edit_reply_markup(None)
    if args[0] == "no":
        await message.reply_html(esc(s.text("tg_delete_cancelled")))
        return
    deleted = await forget(context.application, s, user.id)
    await message.reply_html(esc(done_text(s, deleted)))


def done_text(s: Services, deleted: Deleted) -> str:
    if not deleted.anything:
        return s.text("tg_delete_nothing")
    lines = [s.text("tg_delete_done", questions=deleted.questions, feedback=deleted.feedback, deliveries=deleted.deliveries)]
    if deleted.coordinator:
        lines.append(s.text("tg_delete_done_coordinator"))
    lines.append(s.text("tg_delete_start_again"))
    return "\n".join(lines)


async def forget(application: Application, s: Services, telegram_id: int) -> Deleted:
    """Delete everything stored about this person, in the database and in the Application's memory."""
    if s.question_log is not None:
        async with s.question_log.held():  # queued questions written first, none written meanwhile
            deleted = await privacy.delete_person(s.db, telegram_id)
            s.question_log.discard(telegram_id)  # anything of theirs queued while deleting
    else:
        deleted = await privacy.delete_person(s.db, telegram_id)
    user_data = application.user_data.get(telegram_id)
    if user_data is not None:
        user_data.clear()  # handlers still running for them hold this very dict
    application.drop_user_data(telegram_id)
    application.drop_chat_data(telegram_id)  # a private chat's id is the person's id
    if deleted.coordinator:
        await set_coordinator_menu(application, telegram_id, False)  # best effort, logged on failure
    log.info(
        "a person deleted their data: profile %s, %d question(s), %d vote(s), %d delivery row(s) anonymised",
        "yes" if deleted.profile else "no", deleted.questions, deleted.feedback, deleted.deliveries,
    )  # fmt: skip
    return deleted


# --- retention ------------------------------------------------------------------------------


async def prune_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """A JobQueue job: delete the questions older than the retention (``job.data``, in days)."""
    stored: Services | None = context.application.bot_data.get("services")
    job = context.job
    if stored is None or job is None:
        return
    days = int(cast(int, job.data))  # start_retention gives the retention in days
    application = context.application
    pruned = await privacy.prune_questions(stored.db, days, keep_going=lambda: application.running)
    if pruned.questions or pruned.feedback or pruned.handoffs:
        log.info(
            "retention: deleted %d question(s), %d feedback row(s) and %d handed-off question(s) older than %d days",
            pruned.questions, pruned.feedback, pruned.handoffs, days,
        )  # fmt: skip


def start_retention(application: Application, days: int, interval: float | None = None) -> None:
    """Prune at start-up and then every ``interval`` seconds (default ``PRUNE_INTERVAL_S``).

    Call from ``post_init``: the jobs run once the Application (and its JobQueue) has started.
    """
    privacy.retention_cutoff(days)  # a bad value fails at start-up, not six hours later
    job_queue = application.job_queue
    if job_queue is None:
        log.error(
            "no JobQueue (python-telegram-bot[job-queue] is not installed): old questions are not "
            "deleted automatically; run `stunting-bot db prune` regularly instead"
        )
        return
    every = interval if interval is not None else PRUNE_INTERVAL_S
    # misfire_grace_time None: run even if the start-up took long; coalesce: one run for missed ones
    options = {"misfire_grace_time": None, "coalesce": True}
    job_queue.run_once(prune_job, when=0, data=days, name=f"{RETENTION_JOB}-start", job_kwargs=options)
    job_queue.run_repeating(prune_job, interval=every, first=every, data=days, name=RETENTION_JOB, job_kwargs=options)
