"""Keep an uploaded bill in memory, and stop reading it at our size limit.

Django's MemoryFileUploadHandler silently drops a file from a request larger than
FILE_UPLOAD_MAX_MEMORY_SIZE when no disk handler follows it, so a bill under our
limit would vanish without a word; a disk handler would write the bill to a
temporary file, which we never do.
"""

from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class BillUploadHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.limit = settings.BILL_UPLOAD_MAX_BYTES
        self.too_large = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.file = BytesIO()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.too_large = True
            self.file = BytesIO()  # let go of what was read so far
            raise StopUpload(connection_reset=False)
        self.file.write(raw_data)

    def file_complete(self, file_size):
        self.file.seek(0)
        return InMemoryUploadedFile(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def too_large(request):
    """Whether an upload in this request went over the limit (and was dropped)."""
    return any(getattr(handler, "too_large", False) for handler in request.upload_handlers)
