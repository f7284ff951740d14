"""Page-number pagination: `?page=2&page_size=500` (at most 1,000 a page; REST_FRAMEWORK["PAGE_SIZE"] by default)."""

from rest_framework.pagination import PageNumberPagination


class ApiPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1_000
