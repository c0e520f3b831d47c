"""Error reports and logs that never carry a bill.

When a request fails, Django can e-mail the admins and log the failure with a report of
the request: its POST data, the uploaded files' names, each stack frame's local
variables and the exception's message. For us each of those may hold a bill (the pasted
text, a file named after the patient, a parser's message quoting a line). These classes
keep where it failed and drop what it said, for every request, with DEBUG on or off.
"""

import logging
import traceback

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

WITHHELD = "(withheld: it may quote the bill)"


class PrivateExceptionReporterFilter(SafeExceptionReporterFilter):
    """DEFAULT_EXCEPTION_REPORTER_FILTER: no POST data, no request body, no local variables."""

    def is_active(self, request):
        return True

    def get_post_parameters(self, request):
        return {}

    def get_cleansed_multivaluedict(self, request, multivaluedict):
        return self.cleansed_substitute

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]


class PrivateExceptionReporter(ExceptionReporter):
    """DEFAULT_EXCEPTION_REPORTER: also leaves out file names and exception messages."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        data["request_FILES_items"] = [(name, self.filter.cleansed_substitute) for name in self._file_fields()]
        data["unicode_hint"] = ""  # a slice of the text that failed to decode
        if "exception_value" in data:
            data["exception_value"] = WITHHELD
        data.pop("exception_notes", None)
        for frame in data.get("frames", []):
            if frame.get("exc_cause") is not None:
                frame["exc_cause"] = f"{type(frame['exc_cause']).__name__} {WITHHELD}"
        return data

    def _file_fields(self):
        try:
            return list(self.request.FILES) if self.request is not None else []
        except Exception:  # the upload itself may be what failed
            return []


class WithholdExceptionMessages(logging.Filter):
    """A handler filter: log a failure's traceback (files, lines, functions) without its messages."""

    def filter(self, record):
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = withheld_traceback(record.exc_info[1])
        return True


def withheld_traceback(error):
    """Like traceback.format_exception, with each exception's message replaced by WITHHELD."""
    chain, seen = [], set()  # (exception, how it leads to the one after it), innermost first
    link = None
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        chain.append((error, link))
        if error.__cause__ is not None:
            error, link = error.__cause__, "The above exception was the direct cause of the following exception:"
        elif error.__context__ is not None and not error.__suppress_context__:
            error, link = error.__context__, "During handling of the above exception, another exception occurred:"
        else:
            error = None
    parts = []
    for exception, leads_on in reversed(chain):
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(exception.__traceback__))
        kind = type(exception)
        parts.append(f"{kind.__module__}.{kind.__qualname__}: {WITHHELD}\n")
        if leads_on:
            parts.append(f"\n{leads_on}\n\n")
    return "".join(parts).rstrip("\n")
