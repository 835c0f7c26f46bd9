"""The outcomes app's data: the annual report's owner, the results framework, its indicators."""

from .framework import EVERYWHERE_KEY
from .framework import ActivityTarget
from .framework import AnnualProgressReport
from .framework import AnnualReportQuerySet
from .framework import OutcomeTarget
from .framework import ProgrammeObjective
from .framework import ProgrammeTarget
from .framework import TargetQuerySet
from .framework import scope_key
from .framework import scope_of_key
from .indicators import AGENCY_KIND
from .indicators import COUNTRY
from .indicators import DIMENSION_LABELS
from .indicators import DIMENSIONS
from .indicators import SEX
from .indicators import Indicator
from .indicators import IndicatorPeriod
from .indicators import IndicatorValue
from .indicators import Metric
from .indicators import breakdown_errors
from .indicators import dimension_values
from .indicators import indicator_period_errors
from .narratives import ObjectiveNarrative

__all__ = [
    "AGENCY_KIND",
    "COUNTRY",
    "DIMENSIONS",
    "DIMENSION_LABELS",
    "EVERYWHERE_KEY",
    "SEX",
    "ActivityTarget",
    "AnnualProgressReport",
    "AnnualReportQuerySet",
    "Indicator",
    "IndicatorPeriod",
    "IndicatorValue",
    "Metric",
    "ObjectiveNarrative",
    "OutcomeTarget",
    "ProgrammeObjective",
    "ProgrammeTarget",
    "TargetQuerySet",
    "breakdown_errors",
    "dimension_values",
    "indicator_period_errors",
    "scope_key",
    "scope_of_key",
]
