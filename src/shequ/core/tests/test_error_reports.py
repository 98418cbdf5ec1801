"""Error reports never show an ID or mobile number in clear (debug pages, mailed tracebacks)."""

import sys

from django.test import RequestFactory
from django.views.debug import get_exception_reporter_class


def _failing(id_number: str, mobile: str) -> None:
    person = {"id_number": id_number, "mobile": mobile}
    raise ValueError(f"cannot register {person['id_number']}")


def test_traceback_variables_and_post_data_are_masked(settings):
    """Frame variables and POST parameters in the error report are masked; the numbers do not appear."""
    settings.DEBUG = True
    # Built at run time so that the source lines quoted in the report do not contain the numbers.
    id_number, mobile = "5101071990" + "01011234", "138" + "12345678"
    request = RequestFactory().post("/registry/", {"id_number": id_number, "mobile": mobile})
    try:
        _failing(id_number, mobile)
    except ValueError:
        exc_type, exc_value, tb = sys.exc_info()
    html = get_exception_reporter_class(request)(request, exc_type, exc_value, tb).get_traceback_html()
    assert id_number not in html and mobile not in html
    assert id_number[:4] + "*" * 10 + id_number[-4:] in html
    assert mobile[:3] + "****" + mobile[-4:] in html


def test_server_error_page_is_generic(client, settings):
    """With DEBUG off the 500 page says nothing about the data."""
    settings.DEBUG = False
    from django.template.loader import render_to_string

    page = render_to_string("500.html")
    assert "系统暂时出错" in page and "Traceback" not in page
