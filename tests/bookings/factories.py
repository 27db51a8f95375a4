"""Factories for workers and their time. Appointments are made through the services."""

from datetime import time

import factory
from factory.django import DjangoModelFactory

from bookings.models import TimeOff, WeeklyHours, Worker
from tests.factories import PartnerFactory, UserFactory

#: Every day, 08:00–18:00: the default week of a factory worker.
OFFICE_HOURS = [(day, time(8), time(18)) for day in range(7)]


class WorkerFactory(DjangoModelFactory):
    """A worker with office hours every day unless ``hours=[(weekday, start, end), ...]``."""

    class Meta:
        model = Worker
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    provider = factory.SubFactory(PartnerFactory)

    @factory.post_generation
    def skills(self, create, extracted, **kwargs):
        if create and extracted:
            self.skills.set(extracted)

    @factory.post_generation
    def communities(self, create, extracted, **kwargs):
        if create and extracted:
            self.communities.set(extracted)

    @factory.post_generation
    def hours(self, create, extracted, **kwargs):
        if not create:
            return
        rows = OFFICE_HOURS if extracted is None else extracted
        WeeklyHours.objects.bulk_create(
            WeeklyHours(worker=self, weekday=day, start=start, end=end) for day, start, end in rows
        )


class WeeklyHoursFactory(DjangoModelFactory):
    class Meta:
        model = WeeklyHours

    worker = factory.SubFactory(WorkerFactory, hours=[])
    weekday = 0
    start = time(8)
    end = time(18)


class TimeOffFactory(DjangoModelFactory):
    class Meta:
        model = TimeOff

    worker = factory.SubFactory(WorkerFactory)
    reason = "年假"
