# Minimal image for the modelvet CLI (and, once it lands, `modelvet serve`). It is NOT built or tested on
# the project's CI machines (no container runtime there); build it where Docker is available:
#   docker build -t modelvet . && docker run --rm -v "$PWD:/work" modelvet scan /work
# Stage 1 builds the versioned, self-contained jar with the pinned Maven Wrapper; stage 2 holds only a JRE.
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -ntp -DskipTests -pl modelvet-cli -am package && cp modelvet-cli/target/modelvet-[0-9]*.jar /modelvet.jar

FROM gcr.io/distroless/java17-debian12:nonroot
COPY --from=build /modelvet.jar /opt/modelvet/modelvet.jar
WORKDIR /work
ENTRYPOINT ["java", "-Xmx1g", "-jar", "/opt/modelvet/modelvet.jar"]
CMD ["--help"]
