"""Photos in an S3-compatible bucket: moto's server speaking the S3 protocol on loopback."""

import io

import pytest
from PIL import Image

from samizdat.photos import samples, services
from samizdat.photos.models import Photo
from tests.net import free_port

pytestmark = pytest.mark.django_db
BUCKET = "samizdat-media"


@pytest.fixture
def bucket(settings):
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    keys = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **keys)
    s3.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": BUCKET, "endpoint_url": endpoint,
                    "access_key": "test", "secret_key": "test", "region_name": "us-east-1",
                    "default_acl": None, "querystring_auth": False, "file_overwrite": True},
    }}
    yield s3
    server.stop()


def test_upload_renditions_serving_and_deletion_through_the_bucket(
        bucket, client, settings, django_capture_on_commit_callbacks):
    photo = services.ingest(samples.jpeg(1000, 700), name="DSC_0042.jpg", alt_text="A street",
                            make_renditions=False)
    services.make_renditions(photo)
    listed = bucket.list_objects_v2(Bucket=BUCKET, Prefix=photo.folder)["Contents"]
    names = sorted(o["Key"].rsplit("/", 1)[1] for o in listed)
    assert names == sorted(["original.jpg", "480.jpg", "480.webp", "800.jpg", "800.webp",
                            "1000.jpg", "1000.webp", "t50-50-240.jpg", "t50-50-240.webp",
                            "t50-50-480.jpg", "t50-50-480.webp"])
    for obj in listed:
        data = bucket.get_object(Bucket=BUCKET, Key=obj["Key"])["Body"].read()
        assert not [m for m in samples.MARKS if m.encode() in data], obj["Key"]
        assert not dict(Image.open(io.BytesIO(data)).getexif())
    assert not (settings.MEDIA_ROOT / "photos").exists()  # nothing went to the local folder
    # Readers get the files from the site's own address, not the bucket's.
    response = client.get(f"/media/{photo.folder}/800.webp")
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).width == 800

    with django_capture_on_commit_callbacks(execute=True):
        photo.delete()
    assert Photo.objects.count() == 0
    assert bucket.list_objects_v2(Bucket=BUCKET, Prefix=photo.folder)["KeyCount"] == 0
