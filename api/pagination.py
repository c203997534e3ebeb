from rest_framework import pagination
from rest_framework.response import Response

from crm.lib.pagination import ListPaginator


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=2&page_size=100`; the response has `count`, `next`, `previous` and `results`."""

    page_size_query_param = "page_size"
    max_page_size = 200


class ListPagination(PageNumberPagination):
    """For lists that grow to a million rows: the count stops at the cap (`count` is then the
    cap, the response says so in its `Count-Capped` header, and `next` still goes on), and
    the page's ids are read before its rows are joined (crm/lib/pagination.py)."""

    django_paginator_class = ListPaginator

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        response = Response(
            {
                "count": paginator.shown_count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )
        if paginator.capped:
            response["Count-Capped"] = "true"
        return response
