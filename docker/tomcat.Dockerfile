# The same packbase.war deployed in Tomcat 11 (the corporate-Tomcat path). From the repository root:
#   docker build -f docker/tomcat.Dockerfile -t packbase-tomcat .
# Settings: environment variables (PACKBASE_ROOT, PACKBASE_TOKEN, ...), system properties through
# CATALINA_OPTS (-Dpackbase.root=/data), or <Parameter> entries in a context XML (see README).
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -q package -DskipTests

FROM tomcat:11.0-jre17
RUN rm -rf /usr/local/tomcat/webapps/* \
 && groupadd --system --gid 10001 packbase \
 && useradd --system --uid 10001 --gid packbase --home-dir /data --shell /usr/sbin/nologin packbase \
 && mkdir -p /data && chown -R packbase:packbase /data /usr/local/tomcat/logs /usr/local/tomcat/work /usr/local/tomcat/temp /usr/local/tomcat/webapps
COPY --from=build --chown=packbase:packbase /src/target/packbase.war /usr/local/tomcat/webapps/ROOT.war
ENV PACKBASE_ROOT=/data
VOLUME ["/data"]
EXPOSE 8080
USER packbase
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
  CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080 && printf "GET /readyz HTTP/1.0\r\nHost: localhost\r\n\r\n" >&3 && grep -q "\"status\":\"ready\"" <&3'
