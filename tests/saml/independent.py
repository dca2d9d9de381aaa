"""An independent SAML implementation (signxml on lxml) that the harness's own is checked against.

    independent.py verify CERT.pem          < response.xml   # every signature; prints the NameID
    independent.py sign KEY.pem CERT.pem ACS AUDIENCE NAME_ID NOW ISSUER  # prints base64 SAMLResponse
    independent.py c14n                     < doc.xml        # exclusive C14N of the root element

`cargo xtask test` installs signxml into the test virtualenv and points SAML_PYTHON at it.
"""

import base64
import copy
import datetime
import sys
import uuid

from lxml import etree
from signxml import DigestAlgorithm, SignatureConfiguration, SignatureMethod, XMLSigner, XMLVerifier, methods

DS = "http://www.w3.org/2000/09/xmldsig#"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"


def verify(cert_path):
    cert = open(cert_path).read()
    root = etree.fromstring(sys.stdin.buffer.read())
    config = SignatureConfiguration(
        signature_methods=frozenset(SignatureMethod),
        digest_algorithms=frozenset(DigestAlgorithm),
    )
    signatures = root.findall(".//{%s}Signature" % DS)
    if not signatures:
        sys.exit("no signature")
    for signature in signatures:
        # Each signature verified on its own element, as a document of its own.
        element = copy.deepcopy(signature.getparent())
        XMLVerifier().verify(element, x509_cert=cert, expect_config=config)
    name_id = root.find(".//{%s}NameID" % SAML)
    print("verified %d signature(s); NameID %s" % (len(signatures), name_id.text))


def sign(key_path, cert_path, acs, audience, name_id, now, issuer):
    key = open(key_path, "rb").read()
    cert = open(cert_path).read()
    issued = datetime.datetime.fromisoformat(now.replace("Z", "+00:00"))
    fmt = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
    assertion_id = "_" + uuid.uuid4().hex
    # Written the way other IdPs write: the default namespace for samlp, indentation, namespace
    # declarations on the assertion itself.
    xml = f"""<Response xmlns="{SAMLP}" ID="_{uuid.uuid4().hex}" Version="2.0"
    IssueInstant="{fmt(issued)}" Destination="{acs}">
  <Issuer xmlns="{SAML}">{issuer}</Issuer>
  <Status><StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></Status>
  <a:Assertion xmlns:a="{SAML}" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="{assertion_id}" Version="2.0" IssueInstant="{fmt(issued)}">
    <a:Issuer>{issuer}</a:Issuer>
    <a:Subject>
      <a:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">{name_id}</a:NameID>
      <a:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
        <a:SubjectConfirmationData NotOnOrAfter="{fmt(issued + datetime.timedelta(minutes=5))}" Recipient="{acs}"/>
      </a:SubjectConfirmation>
    </a:Subject>
    <a:Conditions NotBefore="{fmt(issued - datetime.timedelta(minutes=1))}" NotOnOrAfter="{fmt(issued + datetime.timedelta(minutes=5))}">
      <a:AudienceRestriction><a:Audience>{audience}</a:Audience></a:AudienceRestriction>
    </a:Conditions>
    <a:AuthnStatement AuthnInstant="{fmt(issued)}" SessionIndex="_s1">
      <a:AuthnContext><a:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</a:AuthnContextClassRef></a:AuthnContext>
    </a:AuthnStatement>
  </a:Assertion>
</Response>"""
    root = etree.fromstring(xml.encode())
    assertion = root.find("{%s}Assertion" % SAML)
    signed = XMLSigner(
        method=methods.enveloped,
        signature_algorithm="rsa-sha256",
        digest_algorithm="sha256",
        c14n_algorithm=EXC_C14N,
    ).sign(assertion, key=key, cert=cert, reference_uri=assertion_id)
    root.replace(assertion, signed)
    print(base64.b64encode(etree.tostring(root)).decode())


def c14n():
    root = etree.fromstring(sys.stdin.buffer.read())
    sys.stdout.write(etree.tostring(root, method="c14n", exclusive=True, with_comments=False).decode())


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"verify": verify, "sign": sign, "c14n": c14n}[command](*args)
