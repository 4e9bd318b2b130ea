from django.db import connections

HEADER = "X-Bench-Queries"


class QueryCountMiddleware:
    """Counts the SQL statements a request runs (every database alias, middleware included) and reports the
    number in a response header. Uses `execute_wrapper`, so DEBUG stays off and nothing is kept in memory.
    First in MIDDLEWARE (vamos.settings.bench), so it sees what the others query too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        wrappers = [connection.execute_wrapper(counter) for connection in connections.all()]
        for wrapper in wrappers:
            wrapper.__enter__()
        try:
            response = self.get_response(request)
        finally:
            for wrapper in reversed(wrappers):
                wrapper.__exit__(None, None, None)
        response[HEADER] = str(count)
        return response
