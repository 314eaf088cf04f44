from django.conf import settings


def client_ip(request):
    """The visitor's address. Behind PROXY_COUNT proxies it is that many entries from the
    right of X-Forwarded-For: entries further left were written by the client and can lie."""
    proxies = settings.PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")
