"""What the network pages share."""


def pk_of(value):
    return value.pk if value is not None else None
