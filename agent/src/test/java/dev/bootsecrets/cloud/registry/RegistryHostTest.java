package dev.bootsecrets.cloud.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which registries the helper serves, told from the server URL the client passes. */
class RegistryHostTest {
    @Test
    void ecrHostsGiveTheirAccountAndRegion() {
        RegistryHost.Ecr ecr = (RegistryHost.Ecr) RegistryHost.of("123456789012.dkr.ecr.eu-central-1.amazonaws.com").orElseThrow();
        assertEquals("123456789012", ecr.account());
        assertEquals("eu-central-1", ecr.region());
        assertEquals("api.ecr.eu-central-1.amazonaws.com", ecr.apiHost());
        assertEquals("aws", ecr.provider());

        RegistryHost.Ecr fips = (RegistryHost.Ecr) RegistryHost.of("https://123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/v2/")
                .orElseThrow();
        assertEquals("ecr-fips.us-gov-west-1.amazonaws.com", fips.apiHost());
        RegistryHost.Ecr china = (RegistryHost.Ecr) RegistryHost.of("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn:443")
                .orElseThrow();
        assertEquals("api.ecr.cn-north-1.amazonaws.com.cn", china.apiHost());
    }

    @Test
    void googleAndAzureHostsAreServedByTheirClouds() {
        for (String host : new String[] {"gcr.io", "eu.gcr.io", "us-docker.pkg.dev", "europe-west4-docker.pkg.dev"}) {
            assertEquals("gcp", RegistryHost.of(host).orElseThrow().provider(), host);
        }
        assertEquals("azure", RegistryHost.of("MyRegistry01.azurecr.io").orElseThrow().provider());
        assertEquals("myregistry01.azurecr.io", RegistryHost.of("MyRegistry01.azurecr.io").orElseThrow().host());
    }

    @Test
    void lookalikesAndOtherRegistriesAreNotServed() {
        for (String url : new String[] {"quay.io", "docker.io", "12345.dkr.ecr.us-east-1.amazonaws.com",
                "123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example", "gcr.io.evil.example", "evil-gcr.io",
                "docker.pkg.dev", "abc.azurecr.io", "bad_name.azurecr.io", "myregistry.azurecr.io.evil.example",
                "", "ftp://gcr.io", "gcr.io@evil.example", "../gcr.io"}) {
            assertEquals(Optional.empty(), RegistryHost.of(url), url);
        }
        assertTrue(RegistryHost.of(" gcr.io\n").isPresent());
    }
}
