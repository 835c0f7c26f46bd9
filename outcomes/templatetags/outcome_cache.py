"""``{% cached_fragment key %}…{% endcached_fragment %}``: a part of an outcome page rendered once per
data version (``outcomes.cache.key_for``, ``ta_portal.datacache``), or every time when the key is empty (cache off).

Only for parts that show the figures and nothing of the request (no CSRF token, no user).
"""

import logging

from django import template
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)
register = template.Library()


class CachedFragmentNode(template.Node):
    def __init__(self, nodelist, key):
        self.nodelist = nodelist
        self.key = key

    def render(self, context):
        key = self.key.resolve(context)
        if not key:
            return self.nodelist.render(context)
        key = f"{key}:fragment"
        try:
            html = cache.get(key)
        except Exception:
            logger.warning("outcome cache unavailable; rendering", exc_info=True)
            return self.nodelist.render(context)
        if html is None:
            html = self.nodelist.render(context)
            try:
                cache.set(key, html, timeout=settings.DATA_CACHE_SECONDS)
            except Exception:
                logger.warning("outcome cache: could not store a fragment", exc_info=True)
        return html


@register.tag
def cached_fragment(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% cached_fragment key %} takes one argument: the cache key.")
    nodelist = parser.parse(("endcached_fragment",))
    parser.delete_first_token()
    return CachedFragmentNode(nodelist, parser.compile_filter(bits[1]))
