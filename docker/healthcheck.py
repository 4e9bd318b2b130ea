"""The image's HEALTHCHECK: GET /healthz from the gunicorn in this container; exit 0 only on 200.

/healthz answers 200 only when the database and the broker are reachable. The request names the
first host of ALLOWED_HOSTS, so that Django accepts it whatever the deployment's host names are;
/healthz is exempt from the HTTPS redirect, so plain HTTP inside the container is enough.
Standard library only: the slim image has no curl.
"""

import http.client
import os
import sys


def host_header() -> str:
    hosts = [host.strip() for host in os.environ.get("ALLOWED_HOSTS", "").split(",")]
    for host in hosts:
        if host and "*" not in host:
            return host.lstrip(".")  # ".vamos.example" allows vamos.example and its subdomains
    return "localhost"


def main() -> int:
    port = int(os.environ.get("PORT", "8000"))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/healthz", headers={"Host": host_header()})
        response = connection.getresponse()
        body = response.read(500).decode("utf-8", "replace")
    except OSError as error:
        print(f"healthz unreachable: {error}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    print(f"healthz {response.status}: {body}")
    return 0 if response.status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
