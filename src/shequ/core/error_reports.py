"""Error reports (debug pages, mailed tracebacks, logs) with personal information masked (PIPL §51)."""

from typing import Any

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from .masking import mask_text


class MaskingExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, plus ID and mobile numbers masked in request data and frame variables."""

    def get_post_parameters(self, request: Any) -> Any:
        params = super().get_post_parameters(request)
        if not params:
            return params
        cleansed = params.copy()
        for key in list(cleansed.keys()):
            values = cleansed.getlist(key) if hasattr(cleansed, "getlist") else [cleansed[key]]
            masked = [mask_text(str(v)) for v in values]
            if hasattr(cleansed, "setlist"):
                cleansed.setlist(key, masked)
            else:
                cleansed[key] = masked[0]
        return cleansed

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> list[tuple[str, Any]]:
        return [(name, self._mask(value)) for name, value in super().get_traceback_frame_variables(request, tb_frame)]

    def _mask(self, value: Any) -> Any:
        if isinstance(value, str):
            return mask_text(value)
        if isinstance(value, int | float | bool | type(None)):
            return value
        try:
            return mask_text(repr(value))
        except Exception:  # noqa: BLE001 - a broken repr must not break the error page
            return "<unrepresentable>"


class MaskingExceptionReporter(ExceptionReporter):
    """Mask the exception message too: it often quotes the value that failed."""

    def get_traceback_data(self) -> dict[str, Any]:
        data = super().get_traceback_data()
        for key in ("exception_value", "template_info"):
            if isinstance(data.get(key), str):
                data[key] = mask_text(data[key])
        for frame in data.get("frames", []):
            for k in ("exc_cause", "exc_context"):
                if frame.get(k) is not None:
                    frame[k] = mask_text(str(frame[k]))
        return data
