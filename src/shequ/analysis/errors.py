"""Stable error codes of warnings and their thresholds (see core.errors.ErrorCode)."""

from django.utils.translation import gettext_lazy as _

from shequ.core.errors import ErrorCode


class AnalysisError(ErrorCode):
    ASSIGNEE_INVALID = "analysis.assignee_invalid", _("只能指派给能看到该诉求的本辖区工作人员")
    NOTE_REQUIRED = "analysis.note_required", _("请填写备注")
    THRESHOLD_INVALID = "analysis.threshold_invalid", _("预警阈值须为1到200之间的整数")
    TRANSITION_INVALID = "analysis.transition_invalid", _("该预警当前状态下不能执行此操作")
