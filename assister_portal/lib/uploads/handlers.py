"""An upload handler that never writes more than UPLOAD_MAX_BYTES of a file to disk.

Django writes an upload larger than FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file in full before any
form sees it, so a 5 GB body would fill the disk before `sanitize_upload` refused it by size. This
handler keeps writing until the limit, then drops the rest of that file's chunks while counting them;
the UploadedFile it returns has the size that was sent, so `sanitize_upload` refuses it with the usual
message ("This file is 5.0 GB; the limit is 10.0 MB") without reading it. The body itself is still read
from the socket: a proxy's body limit (e.g. nginx `client_max_body_size`) stops that sooner.
"""

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler


class CappedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.kept = 0

    def receive_data_chunk(self, raw_data, start):
        room = settings.UPLOAD_MAX_BYTES + 1 - self.kept  # one byte over is enough to know it is too large
        if room > 0:
            chunk = raw_data[:room]
            self.file.write(chunk)
            self.kept += len(chunk)
        return None  # consumed (or dropped) here; no later handler sees it

    def file_complete(self, file_size):
        self.file.seek(0)
        self.file.size = file_size  # what was sent, not what was kept
        return self.file
