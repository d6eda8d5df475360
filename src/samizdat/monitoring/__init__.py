"""Operations' view of a running site: health checks, Prometheus metrics, log hygiene and
error reports, none of which ever names a reader."""
