"""The two reference points of the bench, served only under ``bench.settings``.

- ``baseline``: the same server, middleware and all, answering a trivial JSON view: the floor of
  this stack on this machine.
- ``NaiveEngagementList``: what most Django projects ship for a list endpoint, a plain DRF
  ``ListAPIView`` with a default ``ModelSerializer`` over the same engagements, fields, order,
  pagination and authentication as ``/api/v1/engagements/``.
"""

from django.http import JsonResponse
from rest_framework import generics
from rest_framework import serializers

from engagements.models import Engagement


def baseline(request):
    return JsonResponse({"status": "ok"})


class NaiveEngagementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Engagement
        fields = ["id", "country", "title", "programme", "start_date", "end_date", "phase", "description"]


class NaiveEngagementList(generics.ListAPIView):
    queryset = Engagement.objects.all()
    serializer_class = NaiveEngagementSerializer
