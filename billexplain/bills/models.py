from django.db import models


class RequestCount(models.Model):
    """How many bills one client asked us to explain in one window of the rate limit (bills/limits.py).

    The key is a keyed hash of the client's address and the window: no address, no bill.
    Rows whose window is over are deleted as new windows start.
    """

    key = models.CharField(max_length=64, primary_key=True)
    count = models.PositiveIntegerField()
    expires = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.count} until {self.expires:%H:%M:%S}"
