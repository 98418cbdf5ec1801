"""Words of the analysis app's audit actions (see core.audit_words)."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from shequ.core.audit_words import register_words

from .domain import EVENT_LABELS

register_words(
    {
        "analysis.recompute": _("重新计算预警"),
        "analysis.set_threshold": _("设置信访风险阈值"),
        # analysis.services records "analysis.warning_<event>" for each step of a stored warning.
        **{
            f"analysis.warning_{event.value}": format_lazy("{}：{}", _("预警"), label)
            for event, label in EVENT_LABELS.items()
        },
    }
)
