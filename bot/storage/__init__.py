"""SQLite storage (imperative shell): handlers call these functions and never write SQL.

``Database`` owns the connection and migrations; ``users``, ``questions``, ``feedback`` and
``broadcasts`` (broadcasts and per-recipient delivery rows) hold one concept each; ``privacy``
ages questions out and deletes everything about one person.
"""

from bot.storage.database import Database, utc_now
from bot.storage.feedback import Vote, feedback_totals, record_feedback
from bot.storage.migrations import LATEST_VERSION, MIGRATIONS, Migration, SchemaTooNewError
from bot.storage.questions import (
    LoggedQuestion,
    QuestionLog,
    Status,
    get_question,
    last_answered_entry,
    log_question,
    recent_questions,
)
from bot.storage.users import (
    ROLES,
    Role,
    UnknownUserError,
    User,
    count_users,
    get_user,
    list_users,
    mark_unreachable,
    register_user,
    set_coordinator,
    set_region,
    set_role,
    set_subscribed,
)

__all__ = [
    "LATEST_VERSION",
    "MIGRATIONS",
    "ROLES",
    "Database",
    "LoggedQuestion",
    "QuestionLog",
    "Migration",
    "Role",
    "SchemaTooNewError",
    "Status",
    "UnknownUserError",
    "User",
    "Vote",
    "count_users",
    "feedback_totals",
    "get_question",
    "get_user",
    "last_answered_entry",
    "list_users",
    "log_question",
    "mark_unreachable",
    "recent_questions",
    "record_feedback",
    "register_user",
    "set_coordinator",
    "set_region",
    "set_role",
    "set_subscribed",
    "utc_now",
]
