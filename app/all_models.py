"""Imports every table model, so that ``SQLModel.metadata`` knows the whole schema (Alembic, tests)."""

from app import counters  # noqa: F401
from app.answer_templates import models as answer_template_models  # noqa: F401
from app.auth import models as auth_models  # noqa: F401
from app.cases import models as case_models  # noqa: F401
from app.clocks import models as clock_models  # noqa: F401
from app.crisis import models as crisis_models  # noqa: F401
from app.files import models as file_models  # noqa: F401
from app.idempotency import models as idempotency_models  # noqa: F401
from app.inquiries import models as inquiry_models  # noqa: F401
from app.mailbox import models as mailbox_models  # noqa: F401
from app.monitor import models as monitor_models  # noqa: F401
from app.notices import models as notice_models  # noqa: F401
from app.notifications import models as notification_models  # noqa: F401
from app.org import models as org_models  # noqa: F401
from app.outmail import models as outmail_models  # noqa: F401
from app.press_events import models as press_event_models  # noqa: F401
from app.reports import models as report_models  # noqa: F401
from app.rules import models as rule_models  # noqa: F401
from app.saved_views import models as saved_view_models  # noqa: F401
from app.spokespersons import models as spokesperson_models  # noqa: F401
from app.statements import models as statement_models  # noqa: F401
from app.stories import models as story_models  # noqa: F401
from app.subscriptions import models as subscription_models  # noqa: F401
from app.tasks import models as task_models  # noqa: F401
from app.webhooks import models as webhook_models  # noqa: F401
from app.workdays import models as workday_models  # noqa: F401
