package dev.bootsecrets.cloud.azure;

import dev.bootsecrets.cloud.Fetch;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.http.Request;
import dev.bootsecrets.http.Response;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Azure's wireserver, for the one thing the agent tells it: the provisioning health report
 * {@code Ready}. Without it (from this agent, waagent, cloud-init or Afterburn) Azure marks
 * the VM's provisioning as failed once its timeout passes.
 */
final class WireServer {
    static final String GOAL_STATE = "/machine/?comp=goalstate";
    static final String HEALTH = "/machine?comp=health";
    static final String VERSION_HEADER = "x-ms-version";
    /** The protocol version every agent speaks for these two calls. */
    static final String VERSION = "2012-11-30";
    private static final int MAX_GOAL_STATE = 1 << 20;

    /** What the health report must name: which goal state it answers, for which container and role. */
    record GoalState(String incarnation, String containerId, String instanceId) {}

    private final String base;
    private final MetadataHttp http;
    private final AtomicInteger requests;

    WireServer(URI endpoint, MetadataHttp http, AtomicInteger requests) {
        this.base = endpoint.toString().replaceAll("/+$", "");
        this.http = http;
        this.requests = requests;
    }

    /** Fetches the goal state and reports Ready against it. */
    void reportReady(Deadline deadline) throws MetadataException {
        GoalState goal = goalState(deadline);
        byte[] report = health(goal).getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = Map.of(VERSION_HEADER, VERSION, "x-ms-agent-name", "bootsecrets",
                "Content-Type", "text/xml;charset=utf-8");
        Response response = send(new Request("POST", URI.create(base + HEALTH), headers, report, 64 * 1024), deadline);
        if (response.status() / 100 != 2) {
            throw new MetadataException(base + "/machine", "health report refused (HTTP " + response.status() + ")");
        }
    }

    GoalState goalState(Deadline deadline) throws MetadataException {
        String endpoint = base + "/machine/";
        Response response = send(Request.get(URI.create(base + GOAL_STATE), Map.of(VERSION_HEADER, VERSION),
                MAX_GOAL_STATE), deadline);
        if (response.status() != 200) {
            throw new MetadataException(endpoint, "goal state: HTTP " + response.status());
        }
        Xml.Element root;
        try {
            root = Xml.parse(response.body(), "goal state");
        } catch (IOException e) {
            throw MetadataException.invalid(endpoint, e.getMessage());
        }
        String incarnation = Xml.text(root, "Incarnation").orElse("");
        String container = Xml.text(root, "Container", "ContainerId").orElse("");
        String instance = Xml.text(root, "Container", "RoleInstanceList", "RoleInstance", "InstanceId").orElse("");
        if (!root.name().equals("GoalState") || incarnation.isEmpty() || container.isEmpty() || instance.isEmpty()) {
            throw MetadataException.invalid(endpoint, "goal state without Incarnation, ContainerId or RoleInstance/InstanceId");
        }
        return new GoalState(incarnation, container, instance);
    }

    /** The Health document reporting Ready for the goal state's role instance. */
    static String health(GoalState goal) {
        return """
                <?xml version="1.0" encoding="utf-8"?>
                <Health xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
                  <GoalStateIncarnation>%s</GoalStateIncarnation>
                  <Container>
                    <ContainerId>%s</ContainerId>
                    <RoleInstanceList>
                      <Role>
                        <InstanceId>%s</InstanceId>
                        <Health>
                          <State>Ready</State>
                        </Health>
                      </Role>
                    </RoleInstanceList>
                  </Container>
                </Health>
                """.formatted(escape(goal.incarnation()), escape(goal.containerId()), escape(goal.instanceId()));
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private Response send(Request request, Deadline deadline) throws MetadataException {
        requests.incrementAndGet();
        Response response = Fetch.send(http, request, deadline);
        Msp.check(response, MetadataHttp.endpoint(request.uri()), "the wireserver");
        return response;
    }
}
