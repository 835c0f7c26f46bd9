"""API of experts/: the expert directory, hidden contact details blanked."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework import serializers
from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from engagements.models import Person

from .. import access
from .. import selectors
from ..models import AgencyGroup


class ExpertSerializer(serializers.Serializer):
    """A directory entry; ``email`` and ``phone`` are empty when the expert hides their contact details."""

    id = serializers.IntegerField()
    full_name = serializers.CharField()
    position = serializers.CharField()
    country = serializers.CharField(source="country_code")
    agency = serializers.CharField()
    agency_kind = serializers.ChoiceField(choices=AgencyGroup.choices)
    expertise = serializers.ListField(child=serializers.CharField(), source="expertise_list")
    topics = serializers.ListField(child=serializers.CharField())
    languages = serializers.CharField()
    show_contact = serializers.BooleanField()
    email = serializers.CharField()
    phone = serializers.CharField()


class ExpertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The expert directory: opted-in experts of every country, for officials and network members."""

    serializer_class = ExpertSerializer
    queryset = Person.objects.none()
    filter_backends = []

    def _check_reader(self):
        if not access.can_read_directory(self.request.user):
            raise PermissionDenied

    def get_queryset(self):
        return Person.objects.none()

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description=_("Text in the name, position, agency or expertise")),
            OpenApiParameter("country", str, description=_("ISO code of the expert's country")),
            OpenApiParameter("agency_kind", str, enum=AgencyGroup.values),
            OpenApiParameter("topic", int, description=_("Id of a topic (assessment dimension)")),
        ]
    )
    def list(self, request, *args, **kwargs):
        self._check_reader()
        params = request.query_params
        agency_kind = params.get("agency_kind", "")
        if agency_kind and agency_kind not in AgencyGroup.values:
            raise serializers.ValidationError({"agency_kind": [_("Not a valid choice.")]})
        topic = params.get("topic", "")
        if topic and not topic.isdigit():
            raise serializers.ValidationError({"topic": [_("A whole number is required.")]})
        rows = selectors.directory_queryset(
            user=request.user,
            search=params.get("q", ""),
            country=params.get("country", ""),
            agency_kind=agency_kind,
            topic=int(topic) if topic else None,
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ExpertSerializer(selectors.directory_entries(page), many=True).data)

    def retrieve(self, request, *args, **kwargs):
        # Someone who may not read the directory learns nothing about who is in it: 404, not 403.
        if not access.can_read_directory(request.user) or not str(kwargs["pk"]).isdigit():
            raise NotFound
        entry = selectors.expert_get_for_user(user=request.user, pk=int(kwargs["pk"]))
        return Response(ExpertSerializer(entry).data)
