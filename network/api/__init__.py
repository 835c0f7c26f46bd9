"""REST API of the network layer: documents/, events/, external-recommendations/, experts/, networks/.

Everything is fetched through the same ``visible_to`` querysets as the pages: out of scope is 404,
visible but not changeable is 403. Document files are downloaded only through ``download_url``,
which checks access again on every request.
"""

from .directory import ExpertViewSet
from .events import EventViewSet
from .library import DocumentViewSet
from .networks import NetworkViewSet
from .recommendations import ExternalRecommendationViewSet


def register(router) -> None:
    router.register("documents", DocumentViewSet, basename="document")
    router.register("events", EventViewSet, basename="event")
    router.register("external-recommendations", ExternalRecommendationViewSet, basename="external-recommendation")
    router.register("experts", ExpertViewSet, basename="expert")
    router.register("networks", NetworkViewSet, basename="network")
