"""Every domain's tables on one MetaData, for Alembic. Import new domains' models here."""

from service.assessments import models as assessment_models  # noqa: F401
from service.catalog import models as catalog_models  # noqa: F401
from service.checkins import models as checkin_models  # noqa: F401
from service.clients import models as client_models  # noqa: F401
from service.db.base import Base
from service.idempotency import models as idempotency_models  # noqa: F401
from service.outcomes import models as outcome_models  # noqa: F401
from service.programs import models as program_models  # noqa: F401
from service.stats import models as stats_models  # noqa: F401

metadata = Base.metadata
