"""An independent SAML implementation (signxml on lxml) that the harness's own is checked against.

    independent.py verify CERT.pem          < response.xml   # every signature; prints the NameID
    independent.py sign KEY.pem CERT.pem ACS AUDIENCE NAME_ID NOW ISSUER [ALGORITHM [typed]]
                                             # prints base64 SAMLResponse; ALGORITHM sha256 (the
                                             # default), sha384 or sha512; `typed` adds an
                                             # xsi:type="xs:string" attribute value, with `xs`
                                             # named in the InclusiveNamespaces PrefixList
    independent.py c14n [PREFIX ...]        < doc.xml        # exclusive C14N of the root element

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


def sign(key_path, cert_path, acs, audience, name_id, now, issuer, algorithm="sha256", typed=""):
    key = open(key_path, "rb").read()
    cert = open(cert_path).read()
    issued = datetime.datetime.fromisoformat(now.replace("Z", "+00:00"))
    fmt = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
    assertion_id = "_" + uuid.uuid4().hex
    # Written the way other IdPs write: the default namespace for samlp, indentation, namespace
    # declarations on the assertion itself.
    # `typed`: an attribute value whose type names the `xs` prefix, used nowhere else: exclusive
    # C14N renders its declaration only if the PrefixList names it, so the signature holds only
    # if the verifier honours the list. (Declared on the assertion: signxml canonicalizes a
    # copy of the signed element, which keeps only the declarations made on it and its names'.)
    typed = typed == "typed"
    attributes = (
        '<a:AttributeStatement><a:Attribute Name="email"><a:AttributeValue xsi:type="xs:string">'
        f"{name_id}</a:AttributeValue></a:Attribute></a:AttributeStatement>"
        if typed
        else ""
    )
    assertion_ns = ' xmlns:xs="http://www.w3.org/2001/XMLSchema"'
    if typed:
        assertion_ns += ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    xml = f"""<Response xmlns="{SAMLP}" ID="_{uuid.uuid4().hex}" Version="2.0"
    IssueInstant="{fmt(issued)}" Destination="{acs}">
  <Issuer xmlns="{SAML}">{issuer}</Issuer>
  <Status><StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></Status>
  <a:Assertion xmlns:a="{SAML}"{assertion_ns} ID="{assertion_id}" Version="2.0" IssueInstant="{fmt(issued)}">
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
    </a:AuthnStatement>{attributes}
  </a:Assertion>
</Response>"""
    root = etree.fromstring(xml.encode())
    assertion = root.find("{%s}Assertion" % SAML)
    signed = XMLSigner(
        method=methods.enveloped,
        signature_algorithm="rsa-" + algorithm,
        digest_algorithm=algorithm,
        c14n_algorithm=EXC_C14N,
    ).sign(
        assertion,
        key=key,
        cert=cert,
        reference_uri=assertion_id,
        inclusive_ns_prefixes=["xs"] if typed else None,
    )
    root.replace(assertion, signed)
    if typed:
        declare_reference_prefixes(root, key, algorithm)
    print(base64.b64encode(etree.tostring(root)).decode())


def declare_reference_prefixes(root, key_pem, algorithm):
    """signxml digests an enveloped reference with the inclusive prefixes but does not write
    them on the reference's exclusive C14N transform, so the signature would not say what it
    covers. Write the list there as XML-DSig says, then sign the SignedInfo again (canonicalized
    by lxml, signed by `cryptography`): the digest is unchanged."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    signature = root.find(".//{%s}Signature" % DS)
    signed_info = signature.find("{%s}SignedInfo" % DS)
    for transform in signed_info.iter("{%s}Transform" % DS):
        if transform.get("Algorithm") == EXC_C14N:
            etree.SubElement(transform, "{%s}InclusiveNamespaces" % EXC_C14N, PrefixList="xs")
    canonical = etree.tostring(
        signed_info, method="c14n", exclusive=True, with_comments=False, inclusive_ns_prefixes=["xs"]
    )
    private = serialization.load_pem_private_key(key_pem, password=None)
    digest = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}[algorithm]
    value = private.sign(canonical, padding.PKCS1v15(), digest)
    signature.find("{%s}SignatureValue" % DS).text = base64.b64encode(value).decode()


def c14n(*prefixes):
    root = etree.fromstring(sys.stdin.buffer.read())
    sys.stdout.write(
        etree.tostring(
            root,
            method="c14n",
            exclusive=True,
            with_comments=False,
            inclusive_ns_prefixes=list(prefixes) or None,
        ).decode()
    )


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"verify": verify, "sign": sign, "c14n": c14n}[command](*args)
