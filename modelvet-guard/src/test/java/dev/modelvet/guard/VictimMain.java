package dev.modelvet.guard;

import java.io.ByteArrayInputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** A service that deserializes what it is given; run in a child JVM under the agent. Exit 3 = blocked, 4 = gadget ran, 0 = read. */
public final class VictimMain {
    private VictimMain() {
    }

    public static void main(String[] args) throws Exception {
        byte[] payload = Files.readAllBytes(Path.of(args[0]));
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(payload))) {
            in.readObject();
        } catch (InvalidClassException e) {
            System.exit(Gadgets.triggered ? 4 : 3);
        }
        System.exit(Gadgets.triggered ? 4 : 0);
    }
}
