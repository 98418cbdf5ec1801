from shequ.organisations.models import Unit


def unit(kind: str, name: str, area, *, compound=None, building=None) -> Unit:
    return Unit.objects.create(kind=kind, name=name, area=area, compound=compound, building=building)
