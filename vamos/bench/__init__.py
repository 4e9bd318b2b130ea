"""What `make bench` adds to the portal, only under vamos.settings.bench: a bare view (the framework's
floor, through the same middleware), a response header with the SQL query count, and a mail backend that
only counts. Production never loads this package."""
