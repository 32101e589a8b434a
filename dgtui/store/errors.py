"""The store's errors: one type for every failure a user is told about in one line, and the
driver's own, named here so that nothing outside the store imports sqlite3."""

import sqlite3


class StoreError(Exception):
    """A problem with an index file, phrased for the person who has to fix it."""


class StoreBusy(StoreError):
    """Another writer held the database for longer than the retries allowed."""


class DiskFull(StoreError):
    """A write the file system had no room for; rolled back, its space given back."""


#: The driver's own failures, named here so that only the store imports the driver.
DatabaseError = sqlite3.DatabaseError
OperationalError = sqlite3.OperationalError
DriverError = sqlite3.Error
