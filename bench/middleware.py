"""Reports, per response, the SQL queries it ran and the worker's peak RSS (headers read by bench/load.py)."""

from __future__ import annotations

import resource

from django.db import connections


class BenchMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Bench-Queries"] = str(count[0])
        response["X-Bench-Peak-KB"] = str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        return response
